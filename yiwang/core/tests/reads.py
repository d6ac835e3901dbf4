"""A page read the way the long-list and queue tests count it: warmed once, then the statements of
one request and its HTML."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def read_page(client, url, **params) -> tuple[int, str]:
    client.get(url, params)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    statements = len(captured)  # read now: the log restarts with the next request
    assert response.status_code == 200, response
    return statements, response.content.decode()
