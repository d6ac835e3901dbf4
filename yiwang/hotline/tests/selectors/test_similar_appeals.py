"""Similar open appeals (hotline.similar): the rule users rely on — same village else same town,
the threshold, the window, open and replied appeals only — found through the index on PostgreSQL
(pg_trgm) and the indexed filter on SQLite, equal to the old Python loop on hand-written appeals;
the dispatch queue reads them for a whole page in a fixed number of queries."""

import datetime as dt
import importlib
import math
import re
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.hotline import services, similar
from yiwang.hotline.models import OPEN_STATES, Appeal
from yiwang.hotline.selectors import similar_open_appeals, similar_open_appeals_for
from yiwang.org.models import Region
from yiwang.org.tests.factories import region_chain

ROAD = ("红河谷村通村路坑洼积水", "红河谷村到营头镇的通村路很多坑洼，下雨就积水，拉猕猴桃的车过不去，请修一修。")
# the same complaint in other words and order, other punctuation
ROAD_AGAIN = (
    "通村路积水、坑洼（红河谷村）",
    "下雨就积水!通村路很多坑洼 —— 红河谷村到营头镇, 拉猕猴桃的车过不去; 请修一修",
)
SCHOOL = ("营头镇小学门口缺少减速带", "营头镇中心小学门口车辆速度快，学生放学很危险，建议设置减速带。")
NOISE = ("红河谷村养殖场夜间噪音扰民", "红河谷村北头的养殖场每天夜里机器轰鸣，吵得老人孩子睡不着觉，希望管一管。")


def old_similar_open_appeals(appeal, *, limit=5, threshold=0.3):
    """The Python loop this replaces, verbatim in its rule (the reference the index must equal)."""
    punct = re.compile(r"[\s\W_]+", re.UNICODE)

    def bigrams(text):
        text = punct.sub("", text or "")
        return Counter(text[i : i + 2] for i in range(len(text) - 1))

    def sim(a, b):
        ca, cb = bigrams(a[:2000]), bigrams(b[:2000])
        if not ca or not cb:
            return 0.0
        dot = sum(v * cb.get(k, 0) for k, v in ca.items())
        return dot / (math.sqrt(sum(v * v for v in ca.values())) * math.sqrt(sum(v * v for v in cb.values())))

    since = appeal.received_at - dt.timedelta(days=30)
    candidates = Appeal.objects.filter(
        state__in=[*OPEN_STATES, Appeal.State.REPLIED], received_at__gte=since, region_id=appeal.region_id
    ).exclude(pk=appeal.pk)
    if appeal.village_id:
        candidates = candidates.filter(
            Q(village_id=appeal.village_id) | Q(village__isnull=True, town_id=appeal.town_id)
        )
    elif appeal.town_id:
        candidates = candidates.filter(town_id=appeal.town_id)
    else:
        candidates = candidates.filter(town__isnull=True)
    scored = []
    for other in candidates.order_by("-received_at")[:500]:
        score = sim(f"{appeal.title} {appeal.content}", f"{other.title} {other.content}")
        if appeal.address and other.address:
            score = 0.8 * score + 0.2 * sim(appeal.address, other.address)
        if score >= threshold:
            scored.append((other.code, round(score, 3)))
    scored.sort(key=lambda s: -s[1])
    return scored[:limit]


@pytest.fixture
def sanjiao(meixian) -> Region:
    """A second village of 营头镇."""
    return region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610326", "眉县", Region.Level.COUNTY),
        ("610326105", "营头镇", Region.Level.TOWN),
        ("610326105206", "三角村", Region.Level.VILLAGE),
    )


@pytest.fixture
def appeal_of(make_appeal):
    def factory(text, **place):
        title, content = text
        if "village" in place:
            place.setdefault("town", place["village"].parent)
        return make_appeal(title=title, content=content, **place)

    return factory


def codes(found):
    return [s.appeal.code for s in found]


def test_it_finds_a_near_duplicate_written_differently_in_the_same_village(appeal_of, meixian):
    first = appeal_of(ROAD, village=meixian.honghegu)
    second = appeal_of(ROAD_AGAIN, village=meixian.honghegu)

    found = similar_open_appeals(second)

    assert codes(found) == [first.code]
    assert found[0].score >= 0.3
    assert codes(similar_open_appeals(first)) == [second.code]


def test_it_leaves_out_another_topic_in_the_same_village(appeal_of, meixian):
    road = appeal_of(ROAD, village=meixian.honghegu)
    appeal_of(NOISE, village=meixian.honghegu)
    appeal_of(SCHOOL, village=meixian.honghegu)

    assert similar_open_appeals(road) == []


def test_it_leaves_out_another_town_and_another_village(appeal_of, meixian, sanjiao):
    road = appeal_of(ROAD, village=meixian.honghegu)
    appeal_of(ROAD, town=meixian.huaiya)
    appeal_of(ROAD, village=meixian.huaiya_village)
    appeal_of(ROAD, village=sanjiao)

    assert similar_open_appeals(road) == []


def test_an_appeal_of_the_whole_town_matches_its_villages_and_they_it(appeal_of, meixian, sanjiao):
    village = appeal_of(ROAD, village=meixian.honghegu)
    town = appeal_of(ROAD_AGAIN, town=meixian.yingtou)
    other_village = appeal_of(ROAD, village=sanjiao)

    assert set(codes(similar_open_appeals(town))) == {village.code, other_village.code}
    assert codes(similar_open_appeals(village)) == [town.code]


def test_it_leaves_out_closed_and_merged_appeals_but_keeps_replied_ones(appeal_of, meixian, operator, replied):
    road = appeal_of(ROAD, village=meixian.honghegu)
    merged = appeal_of(ROAD_AGAIN, village=meixian.honghegu)
    services.appeal_merge(appeal=merged, into=road, actor=operator)
    declined = appeal_of(ROAD, village=meixian.honghegu)
    services.appeal_decline(appeal=declined, reason=Appeal.DeclineReason.LITIGATION, actor=operator)
    late = appeal_of(ROAD, town=meixian.yingtou)

    found = codes(similar_open_appeals(late))

    # the replied one (营头镇, same road) waits for its revisit: still a merge target
    assert replied.state == Appeal.State.REPLIED and replied.code in found
    assert road.code in found
    assert merged.code not in found and declined.code not in found


def test_it_looks_back_thirty_days_but_any_time_forward(appeal_of, meixian, travel):
    now = timezone.now()
    with travel.to(now - dt.timedelta(days=31)):
        old = appeal_of(ROAD, village=meixian.honghegu)
    with travel.to(now - dt.timedelta(days=29)):
        recent = appeal_of(ROAD, village=meixian.honghegu)
    new = appeal_of(ROAD_AGAIN, village=meixian.honghegu)

    assert codes(similar_open_appeals(new)) == [recent.code]
    # the old one still sees the later ones (the window is back from the appeal looked at)
    assert set(codes(similar_open_appeals(old))) == {recent.code, new.code}


def test_it_gives_the_old_loops_answers_on_hand_written_appeals(appeal_of, meixian, sanjiao):
    texts = [ROAD, ROAD_AGAIN, SCHOOL, NOISE]
    places = [
        {"village": meixian.honghegu},
        {"town": meixian.yingtou},
        {"village": sanjiao},
        {"town": meixian.huaiya},
        {"village": meixian.huaiya_village},
    ]
    # addresses count a fifth where both have one
    addresses = iter(["红河谷村一组", "红河谷村一组", "营头镇街道", "", "红河谷村二组", "北街"])
    appeals = [appeal_of(text, **place, address=next(addresses, "")) for place in places for text in texts]

    batch = similar_open_appeals_for(appeals, limit=5)

    assert any(batch.values())
    for appeal in appeals:
        expected = old_similar_open_appeals(appeal)
        assert [(s.appeal.code, s.score) for s in similar_open_appeals(appeal)] == expected
        assert [(s.appeal.code, s.score) for s in batch[appeal.pk]] == expected


def test_it_reads_through_the_trigram_index_on_postgresql(appeal_of, meixian):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (pg_trgm)")
    assert similar.trigram_search_available()
    first = appeal_of(ROAD, village=meixian.honghegu)
    second = appeal_of(ROAD_AGAIN, village=meixian.honghegu)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'hotline_appeal_open_town_text_trgm'",
        )
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition and "WHERE" in definition

    assert codes(similar_open_appeals(second)) == [first.code]


def test_the_dispatch_queue_costs_the_same_queries_for_3_or_30_waiting_appeals(client, operator, appeal_of, meixian):
    client.force_login(operator)
    url = reverse("hotline:dispatch_queue")

    def queries() -> tuple[int, str]:
        client.get(url)  # sessions, caches and the router warmed
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    for _ in range(3):
        appeal_of(ROAD, village=meixian.honghegu)
    few, _ = queries()
    for i in range(27):
        appeal_of((SCHOOL, NOISE, ROAD_AGAIN)[i % 3], village=meixian.honghegu)
    many, page = queries()

    assert many == few
    first = Appeal.objects.filter(state=Appeal.State.RECEIVED).order_by("received_at", "pk").first()
    similar_codes = codes(similar_open_appeals(first, limit=3))
    assert len(similar_codes) == 3 and all(code in page for code in similar_codes)


def test_it_queries_the_text_the_migration_indexes():
    # an index on an expression serves only a query that writes the expression identically
    migration = importlib.import_module("yiwang.hotline.migrations.0008_similar_appeals_town_trigram_index")

    assert similar.INDEXED_TEXT_SQL.format(t="c").replace("c.", "") == migration.TEXT


def test_the_page_query_writes_the_indexed_expression_as_postgresql_reads_it(appeal_of, meixian):
    if connection.vendor != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (pg_trgm)")
    first = appeal_of(ROAD, village=meixian.honghegu)
    sql, params = similar.trigram_query([first.pk], similar.CANDIDATES)
    with transaction.atomic(), connection.cursor() as cursor:
        # the index's text column as PostgreSQL stores it, and the page query as it plans it: on a few
        # rows the planner may walk another index, so the plan is searched for the same expression
        cursor.execute("SELECT pg_get_indexdef('hotline_appeal_open_town_text_trgm'::regclass, 2, false)")
        (indexed,) = cursor.fetchone()
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(similar.TRIGRAM_FLOOR)])
        cursor.execute("EXPLAIN (VERBOSE) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert indexed.startswith('"left"(')
    assert f"{indexed.replace('(title)', '(c.title)').replace('content)', 'c.content)')} %" in plan, (indexed, plan)
