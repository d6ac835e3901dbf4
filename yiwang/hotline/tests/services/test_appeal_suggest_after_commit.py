import datetime as dt

from django.utils import timezone

from yiwang.core.models import AuditEvent
from yiwang.hotline import services
from yiwang.hotline.models import Appeal
from yiwang.hotline.tests.conftest import submit
from yiwang.measures.models import PendingFact

FOOD = {"title": "餐馆出售过期食品", "content": "常兴镇一家餐馆出售过期食品，吃后肚子疼。"}


def test_it_suggests_an_online_appeals_routing_after_its_intake_commits(
    settings, citizen, categories, dept_b, meixian, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        appeal = submit(actor=citizen, channel=Appeal.Channel.PORTAL, town=meixian.yingtou, **FOOD)
    stored = Appeal.objects.get(pk=appeal.pk)
    # Registered at once, without waiting for the router.
    assert (stored.suggested_department, stored.suggested_category, stored.category) == (None, None, None)
    assert stored.suggestion_low_confidence is True
    assert not PendingFact.objects.filter(metric="hotline.received").exists()  # no category yet: not counted

    for callback in callbacks:  # the commit's task (run in-process here)
        callback()
    stored.refresh_from_db()
    assert stored.suggested_category == categories["food"]
    assert stored.suggested_department == dept_b
    assert stored.category == categories["food"]  # a missing category is filled from the suggestion
    assert stored.state == Appeal.State.RECEIVED
    assert PendingFact.objects.filter(metric="hotline.received", key=categories["food"].code).exists()
    event = AuditEvent.objects.get(action="hotline.appeal_routing_suggested", object_id=str(appeal.pk))
    assert event.before["category"] is None and event.after["category"] == categories["food"].pk
    assert event.details["suggested_department"] == dept_b.code

    # Twice changes nothing more than once.
    services.appeal_suggest(appeal_id=appeal.pk)
    assert Appeal.objects.get(pk=appeal.pk).category == categories["food"]


def test_it_keeps_a_category_the_citizen_chose_and_leaves_a_dispatched_appeal_alone(
    settings, citizen, operator, categories, dept_a, meixian, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    with django_capture_on_commit_callbacks(execute=True):
        chosen = submit(
            actor=citizen, channel=Appeal.Channel.API, town=meixian.yingtou, category=categories["roads"], **FOOD
        )
    chosen.refresh_from_db()
    assert chosen.category == categories["roads"] and chosen.suggested_category == categories["food"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = submit(actor=citizen, channel=Appeal.Channel.PORTAL, town=meixian.yingtou, **FOOD)
    services.appeal_dispatch(appeal=waiting, department=dept_a, actor=operator, category=categories["roads"])
    for callback in callbacks:  # the task runs only after the dispatcher already acted
        callback()
    waiting.refresh_from_db()
    assert waiting.suggested_department is None and waiting.category == categories["roads"]
    assert not AuditEvent.objects.filter(action="hotline.appeal_routing_suggested", object_id=str(waiting.pk)).exists()


def test_it_suggests_on_the_request_for_an_operators_intake_and_without_a_worker(
    settings, operator, citizen, meixian, categories
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    by_phone = submit(actor=operator, town=meixian.yingtou, **FOOD)
    assert by_phone.suggested_category == categories["food"]  # the operator sees it at once

    settings.HOTLINE_ROUTING_AFTER_COMMIT = None
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker: everything in-process, on the request
    online = submit(actor=citizen, channel=Appeal.Channel.PORTAL, town=meixian.yingtou, **FOOD)
    assert online.suggested_category == categories["food"]
    assert services.routing_after_commit(Appeal.Channel.PORTAL) is False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert services.routing_after_commit(Appeal.Channel.PORTAL) is True
    assert services.routing_after_commit(Appeal.Channel.PHONE) is False


def test_it_catches_up_an_online_appeal_whose_suggestion_was_lost(
    settings, citizen, categories, dept_b, meixian, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    with django_capture_on_commit_callbacks(execute=False):  # the queued task never arrives
        lost = submit(actor=citizen, channel=Appeal.Channel.PORTAL, town=meixian.yingtou, **FOOD)
    # Within the first minute it is still the queued task's to do.
    assert services.appeal_suggest_missing() == 0
    assert services.appeal_suggest_missing(now=timezone.now() + dt.timedelta(minutes=2)) == 1
    lost.refresh_from_db()
    assert (lost.suggested_department, lost.category) == (dept_b, categories["food"])
    # A day later it is no longer looked for.
    assert services.appeal_suggest_missing(now=timezone.now() + dt.timedelta(days=2)) == 0
