"""The inbox's page links are the shared ones: the current page marked, and 只看未读 (``unread=1``) kept
on every link."""

import pytest
from django.urls import reverse

from yiwang.core.tests.test_inbox import message_for

pytestmark = pytest.mark.django_db


def test_the_unread_filter_stays_on_the_inbox_page_links(client, handler_a):
    for n in range(45):
        message_for(handler_a, n)
    client.force_login(handler_a)

    first = client.get(reverse("core:inbox"), {"unread": "1"}).content.decode()
    last = client.get(reverse("core:inbox"), {"unread": "1", "page": 3}).content.decode()

    assert 'aria-current="page"><span class="page-link">第 1 / 3 页' in first
    assert 'href="?unread=1&page=2"' in first and 'href="?unread=1&page=3">末页' in first
    assert last.count("data-message-id") == 5 and 'href="?unread=1&page=1">首页' in last
