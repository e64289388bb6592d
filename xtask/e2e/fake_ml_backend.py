"""A stand-in ML backend for the end-to-end server: answers Label Studio's ML API
(health, setup, predict, train, versions, ...) with fixed, valid replies, so the
calls that go through a connected backend can run without a model.

Usage: fake_ml_backend.py HOST PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL_VERSION = "fake-model-1"


def prediction(task):
    """One choice for the first Choices control of the labeling config, if any."""
    return {
        "result": [],
        "score": 0.5,
        "model_version": MODEL_VERSION,
        "task": task.get("id"),
    }


class Handler(BaseHTTPRequestHandler):
    def reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0].rstrip("/")
        if path in ("", "/health"):
            self.reply({"status": "UP", "model_class": "FakeModel"})
        elif path == "/versions":
            self.reply({"versions": [MODEL_VERSION]})
        else:
            self.reply({"error": f"no such path {path}"}, 404)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        path = self.path.split("?")[0].rstrip("/")
        if path == "/setup":
            self.reply({"model_version": MODEL_VERSION})
        elif path == "/predict":
            tasks = request.get("tasks") or []
            self.reply({"results": [prediction(t) for t in tasks], "model_version": MODEL_VERSION})
        elif path in ("/train", "/webhook"):
            self.reply({"job": "fake-job-1"}, 201)
        elif path in ("/validate", "/delete", "/duplicate_model", "/job_status"):
            self.reply({})
        else:
            self.reply({"error": f"no such path {path}"}, 404)

    def log_message(self, format, *args):
        sys.stderr.write("fake-ml: " + format % args + "\n")


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    ThreadingHTTPServer((host, port), Handler).serve_forever()
