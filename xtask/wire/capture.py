"""The wire oracle's capture server: records every request it receives, answers `{}`.

Usage: capture.py PORT OUT.jsonl. A request to /c/<call>/<side>/<path> is recorded as
{"call", "side", "method", "path", "query", "headers", "body_b64"} (one JSON line), the
path without its /c/<call>/<side> prefix and the query as sent (still escaped).
"""

import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()


class Capture(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def handle_any(self):
        body = self.body()
        url = urlsplit(self.path)
        parts = url.path.split("/", 4)  # '', 'c', call, side, rest
        if len(parts) < 4 or parts[1] != "c":
            call, side, path = "", "", url.path
        else:
            call, side, path = parts[2], parts[3], "/" + (parts[4] if len(parts) > 4 else "")
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        record = {
            "call": call,
            "side": side,
            "method": self.command,
            "path": path,
            "query": url.query,
            "headers": headers,
            "body_b64": base64.b64encode(body).decode(),
        }
        with LOCK:
            with open(sys.argv[2], "a") as out:
                out.write(json.dumps(record) + "\n")
        reply = b"{}" if self.command != "HEAD" else b""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Capture)
    server.serve_forever()
