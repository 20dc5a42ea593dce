"""A real HTTP proxy on a loopback port that stands in front of an instance's server, and can hold back answers.

It forwards every request unchanged (the Host header included, so HTTP signatures still verify) to the server on
another port. While `holding`, the answer to an inbox POST, already given by the server, is kept back until
`release()`: the sender sees a delivery in flight that the receiver has in fact accepted.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer", "upgrade"}
HOLD_LIMIT = 60.0  # seconds an answer is held at most, so that a failed test never hangs on the proxy


class HoldingProxy:
    """127.0.0.1:port → 127.0.0.1:target_port, recording the activity ids of the inbox POSTs it forwards."""

    def __init__(self, port: int, target_port: int) -> None:
        self.holding = True
        self.inbox_posts: list[str | None] = []  # the `id` of each forwarded inbox POST's activity, in order
        self.held = threading.Event()  # set once an answer is being held
        self._released = threading.Event()
        self._upstream = httpx.Client(base_url=f"http://127.0.0.1:{target_port}", timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="holding-proxy", daemon=True)

    def start(self) -> "HoldingProxy":
        """Serve on a background thread."""
        self._thread.start()
        return self

    def release(self) -> None:
        """Stop holding: the held answers go out (to whoever still listens), later ones pass straight through."""
        self.holding = False
        self._released.set()

    def stop(self) -> None:
        """Release everything, stop serving and close the listening socket."""
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._upstream.close()

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> httpx.Response:
        if method == "POST" and path.split("?")[0].endswith("/inbox"):
            self.inbox_posts.append(_activity_id(body))
        return self._upstream.request(method, path, headers=headers, content=body)

    def _hold(self, path: str, method: str) -> None:
        if self.holding and method == "POST" and path.split("?")[0].endswith("/inbox"):
            self.held.set()
            self._released.wait(HOLD_LIMIT)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {key: value for key, value in self.headers.items() if key.lower() not in _HOP_BY_HOP}
                answer = proxy._forward(self.command, self.path, headers, body)
                proxy._hold(self.path, self.command)
                try:
                    self.send_response(answer.status_code)
                    for key, value in answer.headers.items():
                        if key.lower() not in _HOP_BY_HOP and key.lower() != "content-encoding":
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except OSError:  # the client is gone (a killed worker): nothing to answer
                    pass

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _relay  # noqa: N815 (http.server's naming)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
                return

        return Handler


def _activity_id(body: bytes) -> str | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document.get("id") if isinstance(document, dict) else None
