"""A real HTTP server on 127.0.0.1 serving the recorded arXiv, Crossref and DBLP answers.

Point the app at it with the base URLs of `recorded_urls(base_url)`:
``{base}/arxiv/api/query``, ``{base}/crossref``, ``{base}/dblp``.

In-process::

    base_url, stop = start_recorded_server()
    try: ...
    finally: stop()

As its own process (prints the base URL on the first line of stdout, serves until killed)::

    python -m tests.papers.recorded_server [--port 0] [--fail ID ...] [--unavailable ID ...]
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from fediscience.papers.sources.resolve import SourceUrls
from tests.papers.recorded import Recorded


def recorded_urls(base_url: str) -> SourceUrls:
    """The three service base URLs under a recorded server's base URL."""
    return SourceUrls(arxiv=f"{base_url}/arxiv/api/query", crossref=f"{base_url}/crossref", dblp=f"{base_url}/dblp")


def make_server(port: int = 0, fail: Iterable[str] = (), unavailable: Iterable[str] = ()) -> ThreadingHTTPServer:
    """A not-yet-serving HTTP server on 127.0.0.1:port (0 picks a free port)."""
    recorded = Recorded(fail, unavailable)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parts = urlsplit(self.path)
            if not parts.path.startswith(("/arxiv/", "/crossref/", "/dblp/")):
                self._send(404, "text/plain", b"Not found")
                return
            answer = recorded.answer(parts.path, dict(parse_qsl(parts.query)))
            if answer.fail:
                self.close_connection = True  # answer nothing: the client sees the connection drop
                return
            self._send(answer.status, answer.content_type, answer.body)

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


def start_recorded_server(fail: Iterable[str] = (), unavailable: Iterable[str] = ()) -> tuple[str, Callable[[], None]]:
    """Serve the recorded answers in a background thread; return (base_url, stop)."""
    server = make_server(0, fail, unavailable)
    thread = threading.Thread(target=server.serve_forever, name="recorded-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    host, port = server.server_address[:2]
    return f"http://{host}:{port}", stop


def main(argv: list[str] | None = None) -> None:
    """Run the recorded server in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fail", nargs="*", default=[], help="ids whose requests get the connection dropped")
    parser.add_argument("--unavailable", nargs="*", default=[], help="ids answered with HTTP 503")
    args = parser.parse_args(argv)
    server = make_server(args.port, args.fail, args.unavailable)
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
