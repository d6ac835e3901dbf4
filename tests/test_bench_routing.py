"""bench/routing.py's held-out check on appeals older than the routing window.

The routers here are stand-ins that name the right department and category of every text of the
history (a road's text → department A, a food text → department B): whatever the check reports
below 1.0 is the check's own error, not the router's.
"""

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from yiwang.conftest import dept_a, dept_b, dept_hotline, dispatcher, handler_a, handler_b, meixian  # noqa: F401
from yiwang.hotline import selectors, services
from yiwang.hotline.models import Appeal, Reply
from yiwang.hotline.routing import Prediction
from yiwang.hotline.tests.conftest import categories, make_appeal, operator, replied_history  # noqa: F401

BENCH = Path(__file__).resolve().parent.parent / "bench" / "routing.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_routing", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_routing"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_routing", None)


class KnowingRouter:
    """Predicts from the text what the history's appeals were labelled with."""

    def __init__(self, road: str, food: str):
        self.road, self.food = road, food

    def predict(self, texts, top=3):
        return [Prediction(self.road if "村道" in t else self.food, 0.99) for t in texts]


@pytest.fixture
def knowing_routers(monkeypatch, dept_a, dept_b, categories):  # noqa: F811
    routers = {
        "department": KnowingRouter(dept_a.code, dept_b.code),
        "category": KnowingRouter(categories["roads"].code, categories["food"].code),
    }
    monkeypatch.setattr(selectors, "_active_router", lambda target: routers[str(target)])
    return routers


@pytest.fixture
def old_history(replied_history):  # noqa: F811
    """Twelve appeals replied by departments A and B, one a week from about 30 months ago on."""
    oldest = timezone.now() - dt.timedelta(days=900)
    for week, appeal in enumerate(replied_history):
        Reply.objects.filter(appeal=appeal).update(replied_at=oldest + dt.timedelta(weeks=week, hours=3))
    return replied_history


def test_it_scores_the_department_only_on_appeals_a_department_replied_to(
    bench,
    knowing_routers,
    old_history,
    make_appeal,  # noqa: F811
    operator,  # noqa: F811
    categories,  # noqa: F811
):
    # Consultations the operator answered on the spot the evening before the window opens: the
    # latest old replies, and no department's.
    window_opens = timezone.now() - dt.timedelta(days=731)
    for n in range(4):
        appeal = make_appeal(
            kind=Appeal.Kind.CONSULTATION,
            title="村道养护咨询",
            content=f"营头镇{n + 1}组的村道由哪个部门负责养护？怎么申请修补？",
            category=categories["roads"],
        )
        services.appeal_answer(
            appeal=appeal, content="村道养护由镇政府负责，可向村委会登记后统一安排修补。", actor=operator
        )
        Reply.objects.filter(appeal=appeal).update(replied_at=window_opens - dt.timedelta(hours=n + 1))

    figures = bench.measure_accuracy(held_out=16)

    held_out = figures["older_than_window"]
    assert held_out["n"] == 16
    assert held_out["by_department"] == 12
    assert held_out["answered_by_operator"] == 4
    assert held_out["department"] == 1.0
    assert held_out["department_misses"] == []
    assert held_out["category"] == 1.0


def test_it_draws_the_held_out_appeals_over_the_whole_older_history(
    bench,
    old_history,
    make_appeal,  # noqa: F811
    operator,  # noqa: F811
    dept_a,  # noqa: F811
    dept_b,  # noqa: F811
    handler_a,  # noqa: F811
    categories,  # noqa: F811
):
    appeals = old_history
    # one more replied inside the window: never held out
    recent = make_appeal(title="村道坑洼", content="营头镇九组的村道坑洼不平。", category=categories["roads"])
    services.appeal_dispatch(appeal=recent, department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=recent, actor=handler_a)
    services.appeal_reply(appeal=recent, content="已现场处理完毕，感谢反映。", actor=handler_a)
    since = timezone.now() - dt.timedelta(days=731)

    rows = bench.held_out_rows(since, 4)

    # every third of the twelve by reply time (the 2nd, 5th, 8th and 11th week), not the four latest
    expected = [appeals[i] for i in (1, 4, 7, 10)]
    assert [content for _, content, _, _ in rows] == [a.content for a in expected]
    assert [department for _, _, department, _ in rows] == [dept_b.code, dept_a.code, dept_b.code, dept_a.code]
