"""Online appeals are suggested in batches after their commit: one queued task and one prediction
per router for many appeals, each appeal stored and audited once, as one by one."""

from yiwang.core.models import AuditEvent
from yiwang.hotline import routing, selectors, services, tasks
from yiwang.hotline.models import Appeal
from yiwang.hotline.tests.conftest import submit

ONLINE = [
    ("通村路坑洼", "横渠镇第三组的村道坑洼不平，下雨积水，车辆无法通行，请修补路面。"),
    ("餐馆过期食品", "常兴镇一家餐馆后厨卫生很差，食品过期变质，吃后肚子疼。"),
    ("村道积水", "齐镇五组村道坑洼积水，三轮车无法通行。"),
    ("饭店卫生差", "金渠镇饭店后厨卫生差，食品过期变质。"),
]


def _online(citizen, meixian):
    return [
        submit(actor=citizen, channel=Appeal.Channel.PORTAL, town=meixian.yingtou, title=t, content=c)
        for t, c in ONLINE
    ]


def test_it_queues_one_batch_for_many_commits_and_a_new_one_once_it_started(
    settings, citizen, categories, meixian, monkeypatch, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    queued = []
    monkeypatch.setattr(tasks.suggest_pending_routing, "apply_async", lambda **kw: queued.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        appeals = _online(citizen, meixian)
    assert len(queued) == 1 and queued[0]["countdown"] == 2  # the county default delay
    assert all(Appeal.objects.get(pk=a.pk).suggested_category is None for a in appeals)  # not yet run

    assert tasks.suggest_pending_routing() == len(appeals)  # the queued batch, as the worker runs it
    stored = {a.pk: Appeal.objects.get(pk=a.pk) for a in appeals}
    assert [stored[a.pk].suggested_category for a in appeals] == [
        categories["roads"],
        categories["food"],
        categories["roads"],
        categories["food"],
    ]
    # The batch started (its flag cleared): the next commits queue one new batch.
    with django_capture_on_commit_callbacks(execute=True):
        _online(citizen, meixian)
    assert len(queued) == 2


def test_a_batch_predicts_once_per_router_with_the_answers_of_one_by_one(
    settings, citizen, meixian, dept_a, dept_b, trained_routers, monkeypatch, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    with django_capture_on_commit_callbacks(execute=False):
        appeals = _online(citizen, meixian)
    alone = [selectors.routing_suggest(title=a.title, content=a.content, town=a.town) for a in appeals]

    calls = []
    predict = routing.TextRouter._predict
    monkeypatch.setattr(
        routing.TextRouter, "_predict", lambda self, texts, top: calls.append(len(texts)) or predict(self, texts, top)
    )
    assert services.appeal_suggest_pending() == len(appeals)

    assert calls == [len(appeals), len(appeals)]  # the category router and the department router, once each
    for appeal, expected in zip(appeals, alone, strict=True):
        appeal.refresh_from_db()
        assert (appeal.suggested_department, appeal.suggested_category) == (expected.department, expected.category)
        assert appeal.suggestion_confidence == expected.confidence
        assert appeal.category == expected.category
    assert [a.suggested_department for a in appeals] == [dept_a, dept_b, dept_a, dept_b]


def test_a_retried_batch_stores_and_audits_nothing_twice(
    settings, citizen, categories, meixian, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    with django_capture_on_commit_callbacks(execute=False):
        appeals = _online(citizen, meixian)
    ids = [a.pk for a in appeals]

    services.appeal_suggest_many(appeal_ids=ids)
    services.appeal_suggest_many(appeal_ids=ids)  # redelivered after a worker crash
    assert services.appeal_suggest_pending() == 0  # nothing left waiting
    services.appeal_suggest(appeal_id=ids[0])  # an old one-appeal task

    events = AuditEvent.objects.filter(action="hotline.appeal_routing_suggested", object_id__in=[str(i) for i in ids])
    assert sorted(int(e.object_id) for e in events) == ids
    assert all(Appeal.objects.get(pk=i).suggested_category is not None for i in ids)


def test_a_batch_leaves_a_dispatched_appeal_alone(
    settings, citizen, operator, categories, dept_a, meixian, django_capture_on_commit_callbacks
):
    settings.HOTLINE_ROUTING_AFTER_COMMIT = True
    with django_capture_on_commit_callbacks(execute=False):
        waiting, dispatched = _online(citizen, meixian)[:2]
    services.appeal_dispatch(appeal=dispatched, department=dept_a, actor=operator, category=categories["roads"])

    assert services.appeal_suggest_many(appeal_ids=[waiting.pk, dispatched.pk])[0].pk == waiting.pk
    dispatched.refresh_from_db()
    assert dispatched.suggested_department is None and dispatched.category == categories["roads"]
    assert not AuditEvent.objects.filter(
        action="hotline.appeal_routing_suggested", object_id=str(dispatched.pk)
    ).exists()


def test_a_batch_stores_its_suggestions_in_statements_that_do_not_grow_with_it(
    settings, citizen, categories, meixian, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiwang.measures.models import PendingFact

    settings.HOTLINE_ROUTING_AFTER_COMMIT = True

    def statements(rounds: int) -> tuple[int, list[Appeal]]:
        with django_capture_on_commit_callbacks(execute=False):
            appeals = [a for _ in range(rounds) for a in _online(citizen, meixian)]
        with CaptureQueriesContext(connection) as queries:
            services.appeal_suggest_many(appeal_ids=[a.pk for a in appeals])
            count = len(queries.captured_queries)
        return count, appeals

    statements(1)  # what a process reads once
    few, _ = statements(1)
    many, appeals = statements(5)

    assert many == few, (few, many)
    # Each appeal's suggestion stored and audited, its category filled and counted in the roll-up.
    stored = Appeal.objects.filter(pk__in=[a.pk for a in appeals])
    assert all(a.suggested_category is not None and a.category == a.suggested_category for a in stored)
    audited = AuditEvent.objects.filter(
        action="hotline.appeal_routing_suggested", object_id__in=[str(a.pk) for a in appeals]
    )
    assert audited.count() == len(appeals) == 20
    counted = PendingFact.objects.filter(metric="hotline.received").values_list("count", flat=True)
    assert sum(counted) >= 20
