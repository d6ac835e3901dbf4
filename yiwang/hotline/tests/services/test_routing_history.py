"""Routing trains on a bounded, stratified sample of recent history (县级默认值: 24 months, 2000 per department)."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.hotline import services
from yiwang.hotline.conf import DEFAULTS
from yiwang.hotline.models import Reply, RoutingModel

ROAD = ("村道坑洼", "{town}{n}组的村道坑洼不平，下雨积水，车辆无法通行，请尽快修补路面。")
FOOD = ("餐馆卫生", "{town}街上第{n}家餐馆后厨卫生很差，食品过期变质，吃了肚子疼，请检查处理。")


def _history(make_appeal, operator, pairs, n):
    appeals = []
    for i in range(n):
        for (title, body), department, handler, category in pairs:
            appeal = make_appeal(title=title, content=body.format(town="营头镇", n=i + 1), category=category)
            services.appeal_dispatch(appeal=appeal, department=department, actor=operator)
            services.appeal_sign_off(appeal=appeal, actor=handler)
            services.appeal_reply(appeal=appeal, content="已现场处理完毕，感谢反映。", actor=handler)
            appeals.append(appeal)
    return appeals


def test_the_county_defaults_are_24_months_and_2000_per_department():
    assert DEFAULTS["ROUTING_HISTORY_MONTHS"] == 24
    assert DEFAULTS["ROUTING_SAMPLE_PER_CLASS"] == 2000


def test_it_takes_the_latest_appeals_per_department_up_to_the_cap(
    settings, make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories
):
    settings.HOTLINE = {"ROUTING_SAMPLE_PER_CLASS": 3}
    pairs = [(ROAD, dept_a, handler_a, categories["roads"]), (FOOD, dept_b, handler_b, categories["food"])]
    appeals = _history(make_appeal, operator, pairs, 5)
    # replies an hour apart, oldest first: the cap keeps each department's 3 latest
    start = timezone.now() - dt.timedelta(days=10)
    for i, appeal in enumerate(appeals):
        Reply.objects.filter(appeal=appeal).update(replied_at=start + dt.timedelta(hours=i))

    history = services.routing_history()

    texts, labels = history[RoutingModel.Target.DEPARTMENT]
    assert sorted(labels) == sorted([dept_a.code] * 3 + [dept_b.code] * 3)
    kept_roads = {t for t, label in zip(texts, labels, strict=True) if label == dept_a.code}
    assert kept_roads == {
        f"村道坑洼。村道坑洼。营头镇{n}组的村道坑洼不平，下雨积水，车辆无法通行，请尽快修补路面。" for n in (3, 4, 5)
    }
    _, category_labels = history[RoutingModel.Target.CATEGORY]
    assert sorted(category_labels) == sorted([categories["roads"].code] * 3 + [categories["food"].code] * 3)


def test_it_leaves_out_history_older_than_the_window_and_labels_by_the_last_reply(
    settings, make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories
):
    settings.HOTLINE = {"ROUTING_HISTORY_MONTHS": 12}
    pairs = [(ROAD, dept_a, handler_a, categories["roads"])]
    old, recent, handed_over = _history(make_appeal, operator, pairs, 3)
    Reply.objects.filter(appeal=old).update(replied_at=timezone.now() - dt.timedelta(days=400))
    # a later reply by another department: the department that finally handled it is the label
    first = Reply.objects.get(appeal=handed_over)
    Reply.objects.create(
        appeal=handed_over,
        region=first.region,
        department=dept_b,
        round=2,
        content="经转办，由市场监管部门答复。",
        replied_by=handler_b,
        replied_at=first.replied_at + dt.timedelta(days=1),
    )

    texts, labels = services.routing_history()[RoutingModel.Target.DEPARTMENT]

    assert len(texts) == 2
    assert sorted(labels) == sorted([dept_a.code, dept_b.code])
    assert "营头镇1组" not in "".join(texts)  # the reply 400 days ago is outside 12 months


def test_each_departments_query_is_bounded_by_the_cap_whatever_the_history(
    settings, make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories
):
    settings.HOTLINE = {"ROUTING_SAMPLE_PER_CLASS": 3}
    pairs = [(ROAD, dept_a, handler_a, categories["roads"]), (FOOD, dept_b, handler_b, categories["food"])]
    _history(make_appeal, operator, pairs, 8)

    with CaptureQueriesContext(connection) as queries:
        fetched = [len(query) for query in services.routing_sample_queries()]
        services.routing_history()

    # the database hands over at most the cap per department: 16 replies in the history, 6 fetched
    assert sorted(fetched, reverse=True)[:2] == [3, 3] and sum(fetched) == 6
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "hotline_reply"' in q["sql"]]
    assert reads and all(re.search(r"LIMIT 3\s*$", sql) for sql in reads), reads
