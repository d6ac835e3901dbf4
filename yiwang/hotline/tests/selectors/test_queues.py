import datetime as dt

from django.utils import timezone

from yiwang.hotline import selectors, services


def test_it_sorts_the_handler_queue_by_deadline_with_status_badges(make_appeal, operator, dept_a, handler_a, travel):
    today = timezone.localdate()
    older = services.appeal_dispatch(appeal=make_appeal(title="较早的诉求"), department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=older, actor=handler_a)
    later_day = travel.after_workdays(today, 3)
    with travel.to(later_day):
        newer = services.appeal_dispatch(
            appeal=make_appeal(title="较新的诉求"), department=dept_a, actor=operator, tier="complex"
        )
        services.appeal_sign_off(appeal=newer, actor=handler_a)
    with travel.to(travel.after_workdays(today, 6)):
        rows = selectors.handler_queue(user=handler_a)
        by_received = selectors.handler_queue(user=handler_a, sort="received")

    assert [r.appeal.code for r in rows] == [older.code, newer.code]
    assert [r.status for r in rows] == ["overdue", "normal"]
    assert [r.appeal.code for r in by_received] == [newer.code, older.code]


def test_it_flags_an_unsigned_dispatch_by_its_sign_off_deadline(dispatched, handler_a, travel):
    with travel.to(travel.after_workdays(timezone.localdate(), 2)):
        (row,) = selectors.handler_queue(user=handler_a)
    assert row.sign_off.status == "overdue" and row.status == "overdue"


def test_it_queues_pending_work_for_the_dispatcher(make_appeal, dispatched, operator, handler_a):
    waiting = make_appeal(title="待派单的诉求")
    services.appeal_return(appeal=dispatched, reason="不属于本部门职责范围", actor=handler_a)

    queue = selectors.dispatcher_queue(user=operator)

    assert waiting in queue.received
    assert [r.appeal for r in queue.returns] == [dispatched]
    assert selectors.dispatcher_queue(user=handler_a).received == []


def test_it_lists_only_consented_replied_appeals_publicly(replied, make_appeal, operator, dept_a, handler_a):
    hidden = services.appeal_dispatch(appeal=make_appeal(public_consent=False), department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=hidden, actor=handler_a)
    services.appeal_reply(appeal=hidden, content="已处理完毕，感谢您的反映和监督。", actor=handler_a)

    assert list(selectors.public_appeal_list()) == [replied]


def test_it_shows_a_merged_citizen_the_reply_of_the_primary(replied, make_appeal, operator, handler_a):
    # The primary is already replied; a later duplicate merged into it reads the same reply.
    duplicate = make_appeal(title="红河谷村道路坑洼", contact_phone="15991726418")
    services.appeal_merge(appeal=duplicate, into=replied, actor=operator)
    duplicate.refresh_from_db()

    assert selectors.public_reply(duplicate) == replied.replies.get()


def test_it_tracks_by_code_case_insensitively(make_appeal):
    appeal = make_appeal()
    assert selectors.appeal_track(code=appeal.code.lower()) == appeal
    assert selectors.appeal_track(code="'; DROP TABLE") is None


def test_it_finds_knowledge_by_shared_words(knowledge):
    assert selectors.knowledge_search("想开个体工商户，营业执照在哪办") == [knowledge]
    assert selectors.knowledge_search("太白山门票") == []


def test_it_finds_the_callers_earlier_appeals_by_phone(make_appeal, operator, handler_a):
    first = make_appeal()
    assert selectors.caller_history(user=operator, phone="139 9171 2345") == [first]
    assert selectors.caller_history(user=handler_a, phone="13991712345") == []


def test_it_uses_the_town_mapping_before_the_county_default(categories, meixian, dept_b):
    from yiwang.hotline.models import CategoryDepartmentMapping

    CategoryDepartmentMapping.objects.create(category=categories["roads"], town=meixian.huaiya, department=dept_b)

    assert selectors.category_department(categories["roads"], meixian.huaiya) == dept_b
    assert selectors.category_department(categories["roads"], meixian.yingtou).code == "admin-approval"


def test_it_computes_the_deadline_of_an_urgent_appeal_in_hours(make_appeal, operator, dept_a):
    appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator, tier="urgent")
    deadline = selectors.deadlines.reply_deadline(appeal, appeal.dispatched_at + dt.timedelta(hours=20))
    assert deadline.in_hours and deadline.status == "warning"
    deadline = selectors.deadlines.reply_deadline(appeal, appeal.dispatched_at + dt.timedelta(hours=25))
    assert deadline.status == "overdue"
