"""A loopback HTTP server for the download tests: serves one body at any path and counts the requests."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Serves ``body`` on 127.0.0.1 at any path, as ``url`` (ending in ``file_name``); counts ``requests``.

    ``truncate_to`` sends fewer bytes than the Content-Length promises (a transfer that breaks off).
    A subclass changes what a GET answers by overriding ``respond``.
    """

    def __init__(self, body: bytes = b"", file_name: str = "file.tgz", truncate_to: int | None = None):
        self.body, self.truncate_to, self.requests = body, truncate_to, 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests += 1
                server.respond(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/{file_name}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        """Send the whole body (or its first ``truncate_to`` bytes) and close the connection."""
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body[: self.truncate_to] if self.truncate_to else self.body)
        handler.wfile.flush()
        handler.close_connection = True

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
