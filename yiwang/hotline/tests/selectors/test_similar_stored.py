"""Similar appeals read from stored pairs (hotline.similar ``index``): after the pairs of the open work are
found and stored, the lists equal the rule computed over every appeal at each step of the appeals' lives —
a new appeal not yet stored, one merged, declined or closed, one reopened — the threshold's setting is
followed, intake stores a new appeal's pairs after its commit, and the dispatch queue scores nothing
when its appeals' pairs are stored."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from yiwang.hotline import services, similar
from yiwang.hotline.models import Appeal, SimilarIndex, SimilarPair
from yiwang.hotline.selectors import similar_open_appeals_for
from yiwang.hotline.tests.selectors.test_similar_appeals import (
    NOISE,
    ROAD,
    ROAD_AGAIN,
    SCHOOL,
    rule_for_every_appeal,
    woven,
)


def lists(appeals, **kwargs):
    return {
        pk: [(s.appeal.code, s.score) for s in found]
        for pk, found in similar_open_appeals_for(appeals, **kwargs).items()
    }


def rule(appeals, *, threshold=0.3):
    return {a.pk: rule_for_every_appeal(a, threshold=threshold) for a in appeals}


def marked(appeals) -> set[int]:
    return set(
        Appeal.objects.filter(pk__in=[a.pk for a in appeals], similar_at__isnull=False).values_list("pk", flat=True)
    )


@pytest.fixture
def open_work(appeal_of, meixian, sanjiao, travel):
    """Appeals of three places and several topics over five weeks, some with addresses."""
    now = timezone.now()
    texts = [ROAD, ROAD_AGAIN, SCHOOL, NOISE, woven("甲乙丙丁戊己庚"), woven("子丑寅卯辰巳午")]
    places = [{"village": meixian.honghegu}, {"town": meixian.yingtou}, {"village": sanjiao}]
    appeals = []
    for k in range(18):
        with travel.to(now - dt.timedelta(days=35 - 2 * k)):
            address = "红河谷村一组" if k % 4 == 0 else ""
            appeals.append(appeal_of(texts[k % len(texts)], **places[k % 3], address=address))
    return appeals


def test_stored_pairs_give_the_rule_and_are_read_without_scoring(open_work, monkeypatch):
    assert marked(open_work) == set()

    assert similar.index() == len(open_work)

    assert marked(open_work) == {a.pk for a in open_work}
    assert SimilarIndex.objects.get().threshold == 0.3
    stored = list(SimilarPair.objects.values_list("appeal_id", "other_id", "score"))
    assert stored and {(b, a, s) for a, b, s in stored} == set(stored)  # both ways round, same score
    assert min(s for _, _, s in stored) >= 0.3
    expected = rule(open_work)
    assert any(expected.values())

    def no_scoring(*args, **kwargs):
        raise AssertionError("a stored appeal was scored again")

    monkeypatch.setattr(similar, "_scores", no_scoring)
    assert lists(open_work) == expected
    assert similar.index() == 0  # nothing left to mark


def test_the_lists_follow_the_rule_as_appeals_come_leave_and_come_back(
    open_work, appeal_of, meixian, operator, dept_a, handler_a, categories
):
    similar.index()
    road = next(a for a in open_work if a.title == ROAD[0] and a.village_id == meixian.honghegu.pk)

    # a new appeal, not stored yet: the stored ones see it at once (scored against it live)
    new = appeal_of(ROAD_AGAIN, village=meixian.honghegu, address="红河谷村一组")
    assert new.pk not in marked([new])
    everyone = [*open_work, new]
    assert lists(everyone) == rule(everyone)
    assert new.code in [code for code, _ in lists([road])[road.pk]]

    # leaving the open and replied states drops its pairs and its mark
    services.appeal_merge(appeal=new, into=road, actor=operator)
    declined = open_work[3]
    services.appeal_decline(appeal=declined, reason=Appeal.DeclineReason.LITIGATION, actor=operator)
    for gone in (new, declined):
        assert (
            not SimilarPair.objects.filter(appeal=gone).exists() and not SimilarPair.objects.filter(other=gone).exists()
        )
        assert gone.pk not in marked([gone])
    assert lists(everyone) == rule(everyone)

    # replied, revisited and reopened (重办): unmarked with no pairs until stored again, right all along
    back = services.appeal_dispatch(appeal=road, department=dept_a, actor=operator, category=categories["roads"])
    services.appeal_sign_off(appeal=back, actor=handler_a)
    services.appeal_reply(appeal=back, content="已安排施工队于本周内修补坑洼路段并清理积水。", actor=handler_a)
    back.refresh_from_db()
    assert back.pk in marked([back])  # replied is still open work: the mark stays
    services.appeal_revisit(appeal=back, resolved=False, satisfaction=1, within_power=True, actor=operator)
    back.refresh_from_db()
    assert back.state == Appeal.State.REOPENED
    assert back.pk not in marked([back]) and not SimilarPair.objects.filter(appeal=back).exists()
    assert lists(everyone) == rule(everyone)

    assert similar.index() == 1  # the reopened one, and nothing else
    assert lists(everyone) == rule(everyone)


def test_a_changed_threshold_has_the_pairs_found_again(open_work):
    similar.index()
    scores = sorted(set(SimilarPair.objects.values_list("score", flat=True)))
    assert len(scores) >= 3
    cut = round(scores[len(scores) // 2], 3)  # a threshold some stored pairs fall under

    with override_settings(HOTLINE={"SIMILARITY_THRESHOLD": cut}):
        # until stored again the pages score live, by the new threshold
        assert lists(open_work) == rule(open_work, threshold=cut)
        assert similar.index() == len(open_work)
        assert SimilarIndex.objects.get().threshold == cut
        assert SimilarPair.objects.filter(score__lt=cut).count() == 0
        assert SimilarPair.objects.count() > 0
        assert lists(open_work) == rule(open_work, threshold=cut)
        # asked below the stored threshold, the pairs cannot answer: scored live
        assert lists(open_work, threshold=0.2) == rule(open_work, threshold=0.2)


def test_intake_stores_a_new_appeals_pairs_after_its_commit(
    open_work, appeal_of, meixian, django_capture_on_commit_callbacks
):
    similar.index()

    with django_capture_on_commit_callbacks(execute=True):
        new = appeal_of(ROAD_AGAIN, village=meixian.honghegu)

    assert new.pk in marked([new])
    assert SimilarPair.objects.filter(appeal=new).exists()
    everyone = [*open_work, new]
    assert lists(everyone) == rule(everyone)


def test_the_command_stores_the_pairs_and_says_how_many(open_work, capsys):
    call_command("hotline", "similar")

    assert f"已为 {len(open_work)} 件在办、待回访诉求保存相似诉求" in capsys.readouterr().out
    assert marked(open_work) == {a.pk for a in open_work}


def test_the_dispatch_queue_reads_stored_pairs(client, operator, open_work, monkeypatch):
    similar.index()
    first = Appeal.objects.filter(state=Appeal.State.RECEIVED).order_by("received_at", "pk").first()
    expected = rule_for_every_appeal(first, limit=3)
    assert expected

    def no_scoring(*args, **kwargs):
        raise AssertionError("the queue scored an appeal whose pairs are stored")

    monkeypatch.setattr(similar, "_scores", no_scoring)
    client.force_login(operator)
    page = client.get(reverse("hotline:dispatch_queue")).content.decode()

    assert all(f"{code}</a> ({score})" in page for code, score in expected)


def _on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and advisory locks between two connections need PostgreSQL; SQLite serialises writers")


def _holding(lock) -> tuple[threading.Event, threading.Event, threading.Thread]:
    """Run ``lock()`` in a transaction of another connection and keep it open until released."""
    held, release = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                lock()
                held.set()
                release.wait(20)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert held.wait(20)
    return held, release, thread


def _unmarked(*appeals) -> None:
    """As between their commits and their marking (here intake's commit marks them at once: eager tasks)."""
    Appeal.objects.filter(pk__in=[a.pk for a in appeals]).update(similar_at=None)
    SimilarPair.objects.filter(appeal__in=appeals).delete()
    SimilarPair.objects.filter(other__in=appeals).delete()


@pytest.mark.django_db(transaction=True)
def test_an_appeal_a_transition_holds_is_left_for_the_next_marking(appeal_of, meixian):
    _on_postgresql()
    a = appeal_of(ROAD, village=meixian.honghegu)
    b = appeal_of(ROAD_AGAIN, village=meixian.honghegu)
    _unmarked(a, b)
    _, release, thread = _holding(lambda: Appeal.objects.select_for_update().get(pk=b.pk))
    try:
        assert similar.index() == 1  # a marked; b, locked by a transition, skipped rather than waited for
    finally:
        release.set()
        thread.join()

    assert marked([a, b]) == {a.pk}
    assert lists([a, b]) == rule([a, b]) and rule([a, b])[a.pk]  # b scored live meanwhile
    assert similar.index() == 1
    assert marked([a, b]) == {a.pk, b.pk}
    assert set(SimilarPair.objects.values_list("appeal_id", "other_id")) == {(a.pk, b.pk), (b.pk, a.pk)}


@pytest.mark.django_db(transaction=True)
def test_two_markings_of_one_place_take_turns(appeal_of, meixian):
    _on_postgresql()
    a = appeal_of(ROAD, village=meixian.honghegu)
    b = appeal_of(ROAD_AGAIN, village=meixian.honghegu)
    _unmarked(b)
    _, release, holder = _holding(lambda: similar._lock_place(a.region_id, a.town_id))
    done = []

    def mark():
        try:
            done.append(similar.index())
        finally:
            connections.close_all()

    marker = threading.Thread(target=mark)
    marker.start()
    marker.join(1.0)
    waited = marker.is_alive()  # the place's lock held by the other marking
    release.set()
    holder.join()
    marker.join(20)

    assert waited and done == [1]
    assert set(SimilarPair.objects.values_list("appeal_id", "other_id")) == {(a.pk, b.pk), (b.pk, a.pk)}
