"""The browser tests' live server ends its request threads before it stops sharing the test
database's connection with them (``yiwang.core.tests.live_server``)."""

import http.client
import threading

import pytest

from yiwang.core.tests.live_server import live_server_start


@pytest.mark.django_db(transaction=True)
def test_it_ends_an_idle_keep_alive_connection_before_it_stops_sharing_the_database(monkeypatch):
    raised = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    server = live_server_start("localhost")
    client = http.client.HTTPConnection(server.thread.host, server.thread.port, timeout=10)
    try:
        client.request("GET", "/login/")
        response = client.getresponse()
        response.read()
        assert response.status == 200
        # Like a browser's, the connection stays open after the response: its thread waits for more.
        waiting = server.thread.httpd.open_threads
        assert len(waiting) == 1
        assert waiting[0].is_alive()
    finally:
        server.stop()
    assert not waiting[0].is_alive()
    assert server.thread.httpd.open_threads == []
    client.close()  # the browser closes last, as at the end of the run
    assert raised == []
