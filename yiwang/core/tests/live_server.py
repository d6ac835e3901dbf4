"""The live server the browser tests run against: pytest-django's, whose request threads end before
it stops sharing the test database's connection with them.

On SQLite the test database lives in memory, so the server's threads borrow the test's own
connection (Django allows that while its thread-sharing count is raised) and each closes it when
its HTTP connection ends. Django's threaded server does not keep its request threads, and a browser
keeps idle keep-alive connections open, each held by a thread waiting for the next request. When
the server stopped at the end of the run those threads were still waiting; closing the browser
woke them after the sharing had been lowered, and each failed with "DatabaseWrapper objects
created in a thread can only be used in that same thread" (a thread exception pytest reported as
a warning on the last test). Here the server keeps its open connections; closing it shuts them
down and joins their threads, while the connection is still shared.
"""

from __future__ import annotations

import contextlib
import socket
import threading

from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from pytest_django.live_server_helper import LiveServer

JOIN_SECONDS = 10


class JoiningWSGIServer(ThreadedWSGIServer):
    """Django's threaded test server that closes its open connections and joins their threads
    when it is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._open_lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}

    def process_request(self, request, client_address):
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=self.daemon_threads
        )
        with self._open_lock:
            self._open[request] = thread
        thread.start()

    def shutdown_request(self, request):
        try:
            super().shutdown_request(request)
        finally:
            with self._open_lock:
                self._open.pop(request, None)

    def server_close(self):
        super().server_close()
        with self._open_lock:
            open_now = list(self._open.items())
        for request, _thread in open_now:
            # A thread waiting for the next request on a keep-alive connection reads end of file
            # (a connection the client has closed already raises OSError).
            with contextlib.suppress(OSError):
                request.shutdown(socket.SHUT_RDWR)
        for _request, thread in open_now:
            thread.join(JOIN_SECONDS)

    @property
    def open_threads(self) -> list[threading.Thread]:
        with self._open_lock:
            return list(self._open.values())


class JoiningLiveServerThread(LiveServerThread):
    server_class = JoiningWSGIServer


def live_server_start(addr: str) -> LiveServer:
    """pytest-django's ``LiveServer`` (its settings, static files and shared in-memory connections)
    running on ``JoiningLiveServerThread``."""
    server = LiveServer(addr, start=False)
    plain = server.thread
    server.thread = JoiningLiveServerThread(
        plain.host, plain.static_handler, connections_override=plain.connections_override, port=plain.port
    )
    server.thread.daemon = True
    server.start()
    return server
