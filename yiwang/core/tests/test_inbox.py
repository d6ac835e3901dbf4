import pytest
from django.db import transaction
from django.urls import reverse

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage
from yiwang.core.notify import MessageTemplate, ToUser, notify, register_templates
from yiwang.core.selectors import inbox_for, inbox_unread_count
from yiwang.core.services import inbox_mark_all_read, inbox_mark_read

pytestmark = pytest.mark.django_db

register_templates({"tests.inbox": MessageTemplate(title="消息 {n}", body="正文 {n}")})


def message_for(user, n) -> InboxMessage:
    with transaction.atomic():
        notify(to=ToUser(user.pk), template="tests.inbox", context={"n": n}, key=f"tests:{n}", link=f"/cases/{n}/")
    return InboxMessage.objects.get(user=user, key=f"tests:{n}")


def test_it_lists_only_the_users_own_messages_newest_first(handler_a, handler_b):
    message_for(handler_a, 1)
    message_for(handler_a, 2)
    message_for(handler_b, 3)

    assert [m.title for m in inbox_for(handler_a)] == ["消息 2", "消息 1"]
    assert inbox_unread_count(handler_a) == 2
    assert inbox_unread_count(handler_b) == 1


def test_it_marks_a_message_read_and_audits_it(handler_a):
    message = message_for(handler_a, 1)

    inbox_mark_read(message=message, actor=handler_a)
    inbox_mark_read(message=message, actor=handler_a)  # twice changes nothing

    message.refresh_from_db()
    assert message.read_at is not None
    assert inbox_unread_count(handler_a) == 0
    assert list(AuditEvent.objects.values_list("action", "actor_id")) == [("inbox.read", handler_a.pk)]


def test_it_refuses_to_mark_another_users_message(handler_a, handler_b):
    message = message_for(handler_a, 1)

    with pytest.raises(ApplicationError) as refused:
        inbox_mark_read(message=message, actor=handler_b)

    assert refused.value.code == "inbox.not_found"
    message.refresh_from_db()
    assert message.read_at is None
    assert not AuditEvent.objects.exists()


def test_it_marks_all_of_the_actors_messages_read_and_no_one_elses(handler_a, handler_b):
    message_for(handler_a, 1)
    message_for(handler_a, 2)
    message_for(handler_b, 3)

    assert inbox_mark_all_read(actor=handler_a) == 2
    assert inbox_mark_all_read(actor=handler_a) == 0

    assert inbox_unread_count(handler_a) == 0
    assert inbox_unread_count(handler_b) == 1
    event = AuditEvent.objects.get()
    assert (event.action, event.details["count"]) == ("inbox.read_all", 2)


def test_it_shows_the_inbox_page_with_only_own_messages_unread_in_bold(client, handler_a, handler_b):
    message_for(handler_a, 1)
    read = message_for(handler_a, 2)
    inbox_mark_read(message=read, actor=handler_a)
    message_for(handler_b, 3)
    client.force_login(handler_a)

    page = client.get(reverse("core:inbox")).content.decode()

    assert "消息 1" in page and "消息 2" in page and "消息 3" not in page
    assert 'data-unread="1"' in page and page.count('data-unread="1"') == 1
    assert '<div class="fw-bold">' in page
    assert 'href="/cases/1/"' in page


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("core:inbox"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_marks_read_by_post_only(client, handler_a):
    message = message_for(handler_a, 1)
    client.force_login(handler_a)

    assert client.get(reverse("core:inbox_read", args=[message.pk])).status_code == 405
    response = client.post(reverse("core:inbox_read", args=[message.pk]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None


def test_it_answers_not_found_for_another_users_message(client, handler_a, handler_b):
    message = message_for(handler_a, 1)
    client.force_login(handler_b)

    response = client.post(reverse("core:inbox_read", args=[message.pk]))

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_it_requires_csrf_to_mark_read(handler_a):
    from django.test import Client

    message = message_for(handler_a, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(handler_a)

    assert client.post(reverse("core:inbox_read_all")).status_code == 403
    message.refresh_from_db()
    assert message.read_at is None


def test_it_rerenders_the_list_and_the_bell_for_htmx(client, handler_a):
    message_for(handler_a, 1)
    message_for(handler_a, 2)
    client.force_login(handler_a)

    response = client.post(reverse("core:inbox_read_all"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="inbox-list">')
    assert 'id="inbox-bell"' in body and 'hx-swap-oob="true"' in body
    assert 'data-testid="inbox-unread"' not in body
    assert "<html" not in body


def test_it_pages_the_inbox(client, handler_a):
    for n in range(25):
        message_for(handler_a, n)
    client.force_login(handler_a)

    first = client.get(reverse("core:inbox")).content.decode()
    second = client.get(reverse("core:inbox"), {"page": 2}).content.decode()

    assert first.count("data-message-id") == 20
    assert second.count("data-message-id") == 5
    assert "第 2 / 2 页" in second


def test_it_shows_the_unread_count_in_the_navbar(client, handler_a, handler_b):
    message_for(handler_a, 1)
    message_for(handler_a, 2)
    message_for(handler_b, 3)
    client.force_login(handler_a)

    page = client.get(reverse("portal:home")).content.decode()

    assert 'id="inbox-bell"' in page
    assert 'data-testid="inbox-unread">2<' in page


def test_it_shows_no_bell_to_anonymous_visitors(client):
    page = client.get(reverse("portal:home")).content.decode()
    assert 'id="inbox-bell"' not in page


def test_it_counts_unread_with_one_query(rf, handler_a, django_assert_num_queries):
    from yiwang.core.context_processors import inbox

    message_for(handler_a, 1)
    request = rf.get("/")
    request.user = handler_a
    context = inbox(request)
    with django_assert_num_queries(1):
        assert int(str(context["inbox_unread"])) == 1
