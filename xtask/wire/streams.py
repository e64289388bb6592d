"""The Python side of the stream oracle (`cargo xtask wire`, streams part).

  streams.py record BASE KEY OUT      POST a streamed chat completion to the real server
                                      at BASE and save the reply's bytes as they came.
  streams.py replay PORT DIR          serve DIR/<name>.sse at POST /r/<name>/chat/completions,
                                      in small chunks (so events are split across reads).
  streams.py sdk-read BASE NAME OUT   read /r/NAME through the official `openai` SDK
                                      (`stream=True`) and write each chunk as JSON.
"""

import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUEST = {"model": "mock-gpt", "messages": [{"role": "user", "content": "Say the sentence."}]}


def record(base, key, out):
    body = json.dumps({**REQUEST, "stream": True}).encode()
    request = urllib.request.Request(
        base + "/chat/completions",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key},
    )
    with urllib.request.urlopen(request, timeout=60) as reply:
        data = reply.read()
    with open(out, "wb") as f:
        f.write(data)


class Replay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    folder = "."

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("/")  # '', 'r', name, 'chat', 'completions'
        path = os.path.join(self.folder, parts[2] + ".sse") if len(parts) > 2 else ""
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        # 7-byte chunks: line breaks, CRLF pairs and events fall across reads.
        for start in range(0, len(data), 7):
            chunk = data[start : start + 7]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")


def replay(port, folder):
    Replay.folder = folder
    ThreadingHTTPServer(("127.0.0.1", int(port)), Replay).serve_forever()


def sdk_read(base, name, out):
    import openai

    client = openai.OpenAI(base_url=f"{base}/r/{name}", api_key="unused", max_retries=0)
    chunks = [chunk.to_dict() for chunk in client.chat.completions.create(**REQUEST, stream=True)]
    with open(out, "w") as f:
        json.dump(chunks, f, indent=1)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"record": record, "replay": replay, "sdk-read": sdk_read}[command](*args)
