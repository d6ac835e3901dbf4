from django.urls import reverse

from yiwang.hotline import services
from yiwang.hotline.models import Appeal, AppealEvent, UnresolvedMatter


def action(client, appeal, name, data=None):
    return client.post(reverse("hotline:appeal_action", args=[appeal.code, name]), data or {})


INTAKE = {
    "contact_phone": "13991712345",
    "contact_name": "张建国",
    "channel": "phone",
    "kind": "complaint",
    "title": "红河谷村通村路坑洼",
    "content": "红河谷村到营头镇的通村路坑洼积水，车辆通行困难。",
    "tier": "general",
    "action": "register",
}


def test_it_registers_a_call_and_returns_to_a_blank_form(client, operator, categories):
    client.force_login(operator)
    response = client.post(reverse("hotline:intake"), INTAKE)

    appeal = Appeal.objects.get()
    assert response.status_code == 302 and appeal.code in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert appeal.code in page and "待派单" in page


def test_it_answers_a_consultation_from_the_intake_form(client, operator, knowledge):
    client.force_login(operator)
    client.post(
        reverse("hotline:intake"),
        {
            **INTAKE,
            "kind": "consultation",
            "title": "营业执照怎么办",
            "action": "answer",
            "knowledge_entry": knowledge.pk,
        },
    )
    assert Appeal.objects.get().state == "answered"


def test_it_registers_nothing_when_the_on_the_spot_answer_is_refused(client, operator, categories):
    client.force_login(operator)
    response = client.post(
        reverse("hotline:intake"), {**INTAKE, "kind": "consultation", "action": "answer", "answer": "可以办"}
    )
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    assert not Appeal.objects.exists()


def test_it_declines_from_the_intake_form_with_the_advice(client, operator, categories):
    client.force_login(operator)
    response = client.post(
        reverse("hotline:intake"), {**INTAKE, "action": "decline", "decline_reason": "medical_120"}, follow=True
    )
    assert Appeal.objects.get().state == "declined"
    assert "120" in response.content.decode()


def test_it_needs_a_reason_to_decline(client, operator, categories):
    client.force_login(operator)
    response = client.post(reverse("hotline:intake"), {**INTAKE, "action": "decline"})
    assert response.status_code == 400 and "请选择不予受理原因" in response.content.decode()
    assert not Appeal.objects.exists()


def test_it_keeps_the_intake_form_from_handlers(client, handler_a):
    client.force_login(handler_a)
    assert client.get(reverse("hotline:intake")).status_code == 403


def test_it_assists_the_operator_while_typing(client, operator, knowledge):
    client.force_login(operator)
    response = client.post(
        reverse("hotline:intake_assist"),
        {"title": "营业执照办理", "content": "个体工商户营业执照怎么办理", "contact_phone": ""},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "<html" not in page and knowledge.question in page and "智能分拨建议" in page


def test_it_warns_the_operator_of_an_emergency(client, operator, categories):
    client.force_login(operator)
    page = client.post(
        reverse("hotline:intake_assist"), {"title": "着火了", "content": "楼下着火了，火势很大"}
    ).content.decode()
    assert "119" in page


def test_it_dispatches_from_the_queue(client, operator, make_appeal, dept_a):
    appeal = make_appeal()
    client.force_login(operator)
    assert appeal.code in client.get(reverse("hotline:dispatch_queue")).content.decode()

    response = action(
        client, appeal, "dispatch", {"department": dept_a.pk, "tier": "general", "next": "dispatch_queue"}
    )

    assert response.status_code == 302 and response["Location"] == reverse("hotline:dispatch_queue")
    appeal.refresh_from_db()
    assert appeal.state == "dispatched" and appeal.lead_department == dept_a


def test_it_shows_the_handler_queue_sorted_and_as_a_partial(client, handler_a, dispatched):
    client.force_login(handler_a)
    page = client.get(reverse("hotline:handler_queue")).content.decode()
    assert dispatched.code in page and "正常" in page

    partial = client.get(
        reverse("hotline:handler_queue"), {"sort": "received"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and 'id="queue-rows"' in partial


def test_it_refuses_a_reply_without_content_on_the_page(client, handler_a, signed_off):
    client.force_login(handler_a)
    response = action(client, signed_off, "reply", {"result": "resolved", "content": ""})

    assert response.status_code == 400
    assert "请填写答复内容" in response.content.decode()
    signed_off.refresh_from_db()
    assert signed_off.state == "signed_off"


def test_it_walks_an_appeal_through_the_pages(client, operator, handler_a, dispatched):
    client.force_login(handler_a)
    assert action(client, dispatched, "sign_off").status_code == 302
    assert (
        action(
            client, dispatched, "reply", {"result": "resolved", "content": "已安排修补，本周完工。谢谢反映。"}
        ).status_code
        == 302
    )
    client.force_login(operator)
    assert action(client, dispatched, "revisit", {"resolved": "1", "satisfaction": "5"}).status_code == 302

    dispatched.refresh_from_db()
    assert dispatched.state == "closed"
    page = client.get(reverse("hotline:appeal", args=[dispatched.code])).content.decode()
    for text in ("派单", "签收", "答复", "回访", "办结"):
        assert text in page


def test_it_returns_404_for_another_departments_appeal(client, handler_b, dispatched):
    client.force_login(handler_b)
    assert client.get(reverse("hotline:appeal", args=[dispatched.code])).status_code == 404
    assert action(client, dispatched, "sign_off").status_code == 404
    assert AppealEvent.objects.filter(appeal=dispatched, kind="signed_off").count() == 0


def test_it_shows_the_return_error_after_the_limit(client, handler_a, dispatched):
    import datetime as dt

    from django.utils import timezone

    from yiwang.workdays.models import Clock

    # The page session would expire if the clock moved on, so the sign-off day is moved back instead.
    clock = dispatched.dispatches.get().sign_off_clock
    Clock.objects.filter(pk=clock.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(handler_a)
    response = action(client, dispatched, "return", {"reason": "不属于本部门职责范围"})
    assert response.status_code == 400 and "已超过签收时限" in response.content.decode()


def test_it_registers_and_resolves_an_unresolved_matter(client, clerk, meixian, dept_a):
    client.force_login(clerk)
    response = client.post(
        reverse("hotline:unresolved"),
        {
            "channel": "window",
            "tier": "general",
            "department": dept_a.pk,  # a matter not solved on the spot needs its responsible department
            "summary": "社保卡激活失败",
            "description": "老人社保卡激活反复失败，跑了两次。",
        },
    )
    assert response.status_code == 302
    matter = UnresolvedMatter.objects.get()
    client.post(
        reverse("hotline:unresolved_resolve", args=[matter.code]), {"resolution": "solved", "note": "现场协助激活成功"}
    )
    matter.refresh_from_db()
    assert matter.state == "resolved" and matter.on_time


def test_it_shows_the_dashboard_and_hotspots_to_leaders_only(client, leader, handler_a, replied):
    client.force_login(leader)
    page = client.get(reverse("hotline:dashboard")).content.decode()
    assert "响应率" in page and "满意率" in page and "echarts.min.js" in page
    assert "热力图" in client.get(reverse("hotline:hotspots")).content.decode()
    client.force_login(handler_a)
    assert client.get(reverse("hotline:dashboard")).status_code == 403


def test_it_merges_from_the_detail_page(client, operator, make_appeal, dispatched):
    duplicate = make_appeal(title="红河谷村通村路积水", contact_phone="15991726418")
    client.force_login(operator)
    page = client.get(reverse("hotline:appeal", args=[duplicate.code])).content.decode()
    assert dispatched.code in page  # listed among similar open appeals

    action(client, duplicate, "merge", {"into": dispatched.code})
    duplicate.refresh_from_db()
    assert duplicate.state == "merged" and duplicate.merged_into == dispatched
    services.appeal_sweep()


def test_it_searches_the_knowledge_base(client, operator, knowledge, handler_a):
    client.force_login(operator)
    assert knowledge.question in client.get(reverse("hotline:knowledge")).content.decode()
    partial = client.get(
        reverse("hotline:knowledge"), {"q": "营业执照"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in partial and knowledge.question in partial
    assert "没有匹配的口径" in client.get(reverse("hotline:knowledge"), {"q": "太白山索道"}).content.decode()
    client.force_login(handler_a)
    assert client.get(reverse("hotline:knowledge")).status_code == 403


def _hidden_key(page: str) -> str:
    import re

    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the form carries a hidden submission key"
    return match.group(1)


def test_it_registers_a_double_submitted_call_once(client, operator, categories):
    client.force_login(operator)
    key = _hidden_key(client.get(reverse("hotline:intake")).content.decode())

    first = client.post(reverse("hotline:intake"), {**INTAKE, "submission_key": key})
    second = client.post(reverse("hotline:intake"), {**INTAKE, "submission_key": key})

    appeal = Appeal.objects.get()
    assert appeal.submission_key == key
    assert first.status_code == second.status_code == 302
    assert appeal.code in first["Location"] and appeal.code in second["Location"]
    assert AppealEvent.objects.filter(appeal=appeal, kind="received").count() == 1


def test_it_does_not_answer_a_double_submitted_call_twice(client, operator, knowledge):
    client.force_login(operator)
    key = _hidden_key(client.get(reverse("hotline:intake")).content.decode())
    data = {**INTAKE, "kind": "consultation", "action": "answer", "answer": "携带身份证到政务服务中心办理。"}

    client.post(reverse("hotline:intake"), {**data, "submission_key": key})
    second = client.post(reverse("hotline:intake"), {**data, "submission_key": key})

    assert second.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.state == Appeal.State.ANSWERED


def test_it_registers_a_double_submitted_unresolved_matter_once(client, clerk, meixian, dept_a):
    client.force_login(clerk)
    key = _hidden_key(client.get(reverse("hotline:unresolved")).content.decode())
    data = {
        "channel": "window",
        "tier": "general",
        "department": dept_a.pk,
        "summary": "社保卡激活失败",
        "description": "老人社保卡激活反复失败，跑了两次。",
        "submission_key": key,
    }

    assert client.post(reverse("hotline:unresolved"), data).status_code == 302
    assert client.post(reverse("hotline:unresolved"), data).status_code == 302

    matter = UnresolvedMatter.objects.get()
    assert matter.submission_key == key and matter.summary == "社保卡激活失败"
