"""bench/generate.py: the open work of a generated county follows its daily intake, not its history's length.
A pledge still to be verified is open work (copied in live rounds only, never back in time), and the live
rounds of a database are capped (``--live-rounds``), earlier runs' included."""

import random
import sys
from pathlib import Path

import pytest

from yiwang.cases import services
from yiwang.cases.models import Case, CaseState, PledgeVerification
from yiwang.cases.tests.conftest import FORM, complete_steps, food_item, fresh_calendar, person  # noqa: F401
from yiwang.workdays.models import Clock

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
import generate  # noqa: E402

PER_ROUND = {True: {"cases.Case": 10, "hotline.Appeal": 0}, False: {"cases.Case": 10, "hotline.Appeal": 0}}
WANT = {"cases.Case": 100, "hotline.Appeal": 0}


def _live(rounds) -> list[bool]:
    return [live for _weeks, live, _roots in rounds]


def test_the_live_rounds_stop_at_the_cap():
    rounds = generate.plan_rounds(random.Random(1), WANT, PER_ROUND, live_share=1.0, weeks=20, live_left=2)
    assert len(rounds) == 10 and _live(rounds) == [True, True] + [False] * 8
    assert all(weeks == 0 for weeks, live, _ in rounds if live)
    assert all(1 <= weeks <= 20 for weeks, live, _ in rounds if not live)  # history: shifted back


def test_without_a_cap_the_share_alone_decides():
    rounds = generate.plan_rounds(random.Random(1), WANT, PER_ROUND, live_share=1.0, weeks=20, live_left=None)
    assert _live(rounds) == [True] * 10
    none_left = generate.plan_rounds(random.Random(1), WANT, PER_ROUND, live_share=1.0, weeks=20, live_left=0)
    assert _live(none_left) == [False] * 10


def test_under_the_cap_the_rounds_are_those_of_the_share():
    """A cap not reached changes nothing: the same rounds, shifts and all, as with no cap."""
    capped = generate.plan_rounds(random.Random(7), WANT, PER_ROUND, live_share=0.1, weeks=156, live_left=50)
    free = generate.plan_rounds(random.Random(7), WANT, PER_ROUND, live_share=0.1, weeks=156, live_left=None)
    assert capped == free


@pytest.fixture
def verified_later(transactional_db, citizen, person, food_item, clerk, handler_a):  # noqa: F811
    """A case approved on a pledge (告知承诺) and handed out; its verification (事中事后核查) is still pending.
    Beside it a withdrawn application: finished work, which history rounds copy."""
    withdrawn = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    services.case_withdraw(case=withdrawn, actor=citizen, reason="不再办理")
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    services.case_assign(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="告知承诺审批")
    case.refresh_from_db()
    services.case_deliver(case=case, actor=clerk)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    verification = PledgeVerification.objects.get(case=case)
    assert verification.state == PledgeVerification.State.PENDING
    # as the demo's bulk loader writes its verifications: without a clock, so only its state says it is open
    Clock.objects.filter(pk=verification.clock_id).delete()
    return case


def test_a_pending_verification_is_copied_in_live_rounds_only(verified_later):
    pending = PledgeVerification.objects.filter(state=PledgeVerification.State.PENDING)
    args = ["--cases", "20", "--appeals", "0", "--weeks", "20", "--quiet", "--no-rebuild"]
    history = generate.main([*args, "--live-share", "0"])
    # history rounds copy the withdrawn application only: no verification waits years back in time
    assert history["live_rounds"] == 0 and history["rounds"] == history["written"]["cases.Case"] == 20
    assert pending.count() == 1

    # live rounds copy it with its pending verification: two rounds at most in the database by default
    live = generate.main([*args, "--live-share", "1"])
    assert live["live_rounds"] == generate.LIVE_ROUNDS == 2
    assert pending.count() == 3
    assert Case.objects.filter(title=verified_later.title, state=CaseState.DELIVERED).count() == 3
    # the next run finds the cap reached (each run records its live rounds)
    again = generate.main([*args, "--live-share", "1"])
    assert again["live_rounds"] == 0 and again["written"]["cases.Case"] == 20
    assert pending.count() == 3
