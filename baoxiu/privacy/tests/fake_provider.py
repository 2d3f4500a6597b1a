"""A privacy-number provider speaking the HTTP protocol of
``baoxiu.privacy.numbers.http``, served on 127.0.0.1 from a thread, for tests."""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = "provider-test-token"


class FakeProviderServer:
    """``mode``: ok | error (HTTP 503) | slow (answers after ``delay`` s) | garbage."""

    def __init__(self):
        self.mode = "ok"
        self.delay = 2.0
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, body)
        self.bindings: dict[str, dict] = {}
        self.by_request: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def calls(self, method: str) -> list:
        return [r for r in self.requests if r[0] == method]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output (and logs) quiet
                pass

            def _answer(self, status: int, body=None, raw: bytes | None = None):
                payload = raw if raw is not None else json.dumps(body or {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _gate(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._answer(401, {"error": "unauthorised"})
                    return False
                if server.mode == "slow":
                    time.sleep(server.delay)
                if server.mode == "error":
                    self._answer(503, {"error": "busy"})
                    return False
                if server.mode == "garbage":
                    self._answer(200, raw=b"<html>oops</html>")
                    return False
                return True

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(("POST", self.path, body))
                if not self._gate():
                    return
                with server._lock:
                    binding_id = server.by_request.get(body["request_id"])
                    if binding_id is None:
                        n = next(server._ids)
                        binding_id = f"b{n}"
                        server.by_request[body["request_id"]] = binding_id
                        server.bindings[binding_id] = {
                            "x": f"1710000{n:04d}",
                            "a": body["a"],
                            "b": body["b"],
                            "expires_at": body["expires_at"],
                        }
                    entry = server.bindings[binding_id]
                self._answer(
                    201,
                    {"binding_id": binding_id, "x": entry["x"], "expires_at": entry["expires_at"]},
                )

            def do_DELETE(self):
                with server._lock:
                    server.requests.append(("DELETE", self.path, None))
                if not self._gate():
                    return
                binding_id = self.path.rsplit("/", 1)[-1]
                with server._lock:
                    gone = server.bindings.pop(binding_id, None)
                self._answer(204 if gone else 404, raw=b"")

        return Handler
