import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import OutboxMessage
from yiwang.hotline import services
from yiwang.hotline.models import Appeal, Dispatch
from yiwang.hotline.selectors import similar_open_appeals
from yiwang.workdays.models import Clock

DUPLICATE = {
    "title": "红河谷村通村路坑洼积水",
    "content": "红河谷村到营头镇的通村路很多坑洼，下雨就积水，拉猕猴桃的车过不去，请修一修。",
    "contact_name": "李秀英",
    "contact_phone": "15991726418",
}


def test_it_finds_a_similar_open_appeal_in_the_same_place(make_appeal, meixian):
    first = make_appeal(village=meixian.honghegu)
    second = make_appeal(village=meixian.honghegu, **DUPLICATE)
    elsewhere = make_appeal(town=meixian.huaiya, **DUPLICATE)
    unrelated = make_appeal(
        title="营头镇小学门口缺少减速带", content="营头镇中心小学门口车辆速度快，学生放学很危险，建议设置减速带。"
    )

    found = [s.appeal for s in similar_open_appeals(second)]

    assert first in found
    assert elsewhere not in found and unrelated not in found


def test_it_merges_a_duplicate_and_the_merged_citizen_gets_the_reply(dispatched, make_appeal, operator, handler_a):
    duplicate = make_appeal(**DUPLICATE)

    duplicate = services.appeal_merge(appeal=duplicate, into=dispatched, actor=operator)
    assert duplicate.state == Appeal.State.MERGED and duplicate.merged_into == dispatched

    services.appeal_sign_off(appeal=dispatched, actor=handler_a)
    reply = services.appeal_reply(appeal=dispatched, content="已安排修补坑洼路段，本周内完工。", actor=handler_a)

    for appeal in (duplicate, dispatched):
        sms = OutboxMessage.objects.get(dedupe_key__startswith=f"appeal:{appeal.pk}:reply:{reply.pk}:sms:")
        assert appeal.code in sms.body


def test_it_stops_the_clocks_of_a_merged_dispatched_duplicate(dispatched, make_appeal, operator, dept_a):
    other = services.appeal_dispatch(appeal=make_appeal(**DUPLICATE), department=dept_a, actor=operator)

    services.appeal_merge(appeal=other, into=dispatched, actor=operator)

    other.refresh_from_db()
    assert other.handling_clock.state == Clock.State.STOPPED
    assert other.dispatches.get().state == Dispatch.State.CLOSED


def test_it_refuses_to_merge_into_itself_or_a_closed_appeal(make_appeal, operator):
    appeal = make_appeal()
    with pytest.raises(ApplicationError) as error:
        services.appeal_merge(appeal=appeal, into=appeal, actor=operator)
    assert error.value.code == "appeal.merge_self"

    closed = services.appeal_decline(appeal=make_appeal(), reason="petition", actor=operator)
    with pytest.raises(ApplicationError) as error:
        services.appeal_merge(appeal=appeal, into=closed, actor=operator)
    assert error.value.code == "appeal.merge_target_closed"
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.RECEIVED
