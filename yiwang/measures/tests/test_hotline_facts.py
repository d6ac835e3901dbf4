"""Property: a random, seeded sequence of real appeal events, run through the services (which call
the event functions of ``yiwang.hotline.measures`` themselves), keeps exactly the facts a rebuild
computes from the rows."""

import random

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.hotline import measures as hm
from yiwang.hotline import services
from yiwang.hotline.models import Appeal, Dispatch, ReturnRequest
from yiwang.measures.selectors import measures_check, stored_rows
from yiwang.measures.services import measures_rebuild

pytestmark = pytest.mark.django_db

METRICS = [hm.DISPATCHED, hm.REVISITS, hm.REPLIES, hm.RETURNS, hm.EXTENSIONS, hm.RECEIVED]


def tracked(appeal, action):
    """Run one service call; the services keep the facts themselves (a refused call changes nothing)."""
    appeal = Appeal.objects.get(pk=appeal.pk) if appeal is not None else None
    try:
        result = action(appeal)
    except ApplicationError:
        return None
    return Appeal.objects.get(pk=(appeal or result).pk)


def test_it_keeps_the_facts_a_rebuild_computes(
    make_appeal, operator, handler_a, handler_b, dept_a, dept_b, categories, meixian
):
    rng = random.Random(20250301)
    handlers = {dept_a.pk: handler_a, dept_b.pk: handler_b}
    appeals = []

    def handler_of(appeal):
        dispatch = Dispatch.objects.filter(appeal=appeal).exclude(state=Dispatch.State.CLOSED).last()
        return handlers.get(dispatch.department_id) if dispatch else handler_a

    def submit(_):
        town = rng.choice([meixian.yingtou, meixian.huaiya, meixian.shoushan])
        kind = Appeal.Kind.CONSULTATION if rng.random() < 0.2 else Appeal.Kind.COMPLAINT
        return make_appeal(town=town, kind=kind)

    def dispatch(appeal):
        if appeal.state != Appeal.State.RECEIVED:
            raise ApplicationError("test.skip", "只派待派单的诉求")
        department = rng.choice([dept_a, dept_b])
        return services.appeal_dispatch(
            appeal=appeal, department=department, actor=operator, category=rng.choice(list(categories.values()))
        )

    def sign_off(appeal):
        return services.appeal_sign_off(appeal=appeal, actor=handler_of(appeal))

    def give_back(appeal):
        return services.appeal_return(
            appeal=appeal, reason="不属于本部门职责，应由交通部门办理。", actor=handler_of(appeal)
        )

    def decide_return(appeal):
        request = ReturnRequest.objects.filter(appeal=appeal, state=ReturnRequest.State.PENDING).first()
        if request is None:
            raise ApplicationError("test.none", "无")
        other = dept_b if request.department_id == dept_a.pk else dept_a
        return services.appeal_return_decide(
            return_request=request, approve=rng.random() < 0.7, actor=operator, department=other
        )

    def extend(appeal):
        return services.appeal_extension_request(
            appeal=appeal, days=2, reason="需要协调施工队，申请延期。", actor=handler_of(appeal)
        )

    def reply(appeal):
        return services.appeal_reply(appeal=appeal, content="已安排修补坑洼路段，感谢反映。", actor=handler_of(appeal))

    def revisit(appeal):
        happy = rng.random() < 0.6
        return services.appeal_revisit(
            appeal=appeal,
            resolved=happy,
            satisfaction=rng.choice([4, 5]) if happy else rng.choice([1, 2]),
            within_power=not happy,
            actor=operator,
        )

    def decline(appeal):
        return services.appeal_decline(appeal=appeal, reason=Appeal.DeclineReason.LITIGATION, actor=operator)

    def reclassify(appeal):
        return services.appeal_reclassify(appeal=appeal, actor=operator, category=rng.choice(list(categories.values())))

    def redispatch(appeal):  # any state: the service refuses what it must (e.g. a pending return)
        return services.appeal_dispatch(appeal=appeal, department=rng.choice([dept_a, dept_b]), actor=operator)

    def merge(appeal):
        into = Appeal.objects.get(pk=rng.choice(appeals).pk)
        return services.appeal_merge(appeal=appeal, into=into, actor=operator)

    def answer(appeal):
        return services.appeal_answer(
            appeal=appeal, content="可携带身份证到县政务服务中心综合窗口办理。", actor=operator
        )

    actions = [
        dispatch,
        sign_off,
        give_back,
        decide_return,
        extend,
        reply,
        revisit,
        decline,
        reclassify,
        redispatch,
        merge,
        answer,
    ]
    S = Appeal.State
    by_state = {
        S.RECEIVED: [dispatch, dispatch, decline, reclassify, merge, answer],
        S.DISPATCHED: [sign_off, sign_off, give_back, merge],
        S.RETURNED: [decide_return, redispatch],
        S.SIGNED_OFF: [reply, reply, extend],
        S.REOPENED: [reply],
        S.REPLIED: [revisit],
    }
    for _ in range(8):
        appeals.append(tracked(None, submit))
    for _ in range(160):
        if rng.random() < 0.08:
            created = tracked(None, submit)
            if created:
                appeals.append(created)
            continue
        appeal = Appeal.objects.get(pk=rng.choice(appeals).pk)
        fitting = by_state.get(appeal.state, actions)
        tracked(appeal, rng.choice(fitting if rng.random() < 0.85 else actions))

    kept = {name: stored_rows(name) for name in METRICS}
    counted = {name: sum(v["count"] for v in rows.values()) for name, rows in kept.items()}
    assert all(counted.values()), counted  # every kind of event happened at least once
    assert measures_check(metrics=METRICS) == []
    measures_rebuild(metrics=METRICS)
    assert {name: stored_rows(name) for name in METRICS} == kept
