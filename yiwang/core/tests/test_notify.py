import pytest
from django.db import transaction

from yiwang.core.models import InboxMessage, OutboxMessage
from yiwang.core.notify import (
    MessageTemplate,
    ToDepartment,
    ToPhone,
    ToRegionQueue,
    ToUser,
    notify,
    register_templates,
    render,
)
from yiwang.org.models import Role
from yiwang.org.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

register_templates(
    {
        "tests.accepted": MessageTemplate(
            title="办件 {number} 已受理",
            body="您的申请“{title}”已受理。",
            sms="【{sign}】您的申请{number}已受理。",
        ),
        "tests.dispatched": MessageTemplate(title="新工单 {code}", body="请及时签收。"),
        "tests.hotline": MessageTemplate(title="诉求 {code}", sms="【{hotline_sign}】您的诉求{code}已受理。"),
    }
)


def send(to, key="case:1:accepted", **kwargs):
    kwargs = {"template": "tests.accepted", "context": {"number": "MX001", "title": "营业执照"}, **kwargs}
    with transaction.atomic():
        return notify(to=to, key=key, **kwargs)


def inbox_of(user) -> list[str]:
    return list(InboxMessage.objects.filter(user=user).values_list("title", flat=True))


def test_it_fans_a_department_queue_out_to_its_handlers_only(dept_a, handler_a, handler_b, inspector):
    colleague = UserFactory(username="handler_a2")
    MembershipFactory(user=colleague, role=Role.HANDLER, department=dept_a)
    gone = UserFactory(username="handler_gone", is_active=False)
    MembershipFactory(user=gone, role=Role.HANDLER, department=dept_a)

    written = send(ToDepartment(dept_a.pk), link="/cases/1/")

    assert written == 2
    assert inbox_of(handler_a) == ["办件 MX001 已受理"]
    assert inbox_of(colleague) == ["办件 MX001 已受理"]
    assert inbox_of(handler_b) == [] and inbox_of(inspector) == [] and inbox_of(gone) == []
    message = InboxMessage.objects.get(user=handler_a)
    assert (message.body, message.link, message.template, message.read_at) == (
        "您的申请“营业执照”已受理。",
        "/cases/1/",
        "tests.accepted",
        None,
    )


def test_it_reaches_other_roles_of_a_department_when_asked(dept_b, handler_b, inspector):
    send(ToDepartment(dept_b.pk, roles=(Role.INSPECTOR,)))
    assert inbox_of(inspector) == ["办件 MX001 已受理"]
    assert inbox_of(handler_b) == []


def test_it_fans_a_region_queue_out_to_that_regions_role_holders(meixian, dispatcher, handler_a, dept_town):
    town_dispatcher = UserFactory(username="town_dispatcher")
    MembershipFactory(user=town_dispatcher, role=Role.DISPATCHER, department=dept_town)

    written = send(
        ToRegionQueue(meixian.county.code, Role.DISPATCHER), template="tests.dispatched", context={"code": "A1"}
    )

    assert written == 1
    assert inbox_of(dispatcher) == ["新工单 A1"]
    assert inbox_of(town_dispatcher) == [] and inbox_of(handler_a) == []


def test_it_queues_an_sms_for_a_phone_with_the_sign_from_settings(settings):
    settings.YIWANG_COUNTY_NAME = "太白县"
    written = send(ToPhone("138 1234 5678"))

    [message] = OutboxMessage.objects.all()
    assert written == 1
    assert (message.channel, message.recipient, message.body) == (
        "sms",
        "13812345678",
        "【太白县政务服务】您的申请MX001已受理。",
    )
    assert "13812345678" not in message.dedupe_key
    assert not InboxMessage.objects.exists()


def test_it_signs_hotline_messages_with_the_hotline_sign(settings):
    settings.YIWANG_NOTIFY = {"HOTLINE_SIGN": "{county}政务热线"}
    send(ToPhone("13812345678"), template="tests.hotline", context={"code": "A1"})
    assert OutboxMessage.objects.get().body == "【眉县政务热线】您的诉求A1已受理。"


def test_it_writes_nothing_twice_when_retried_with_the_same_key(dept_a, handler_a, citizen):
    recipients = [ToDepartment(dept_a.pk), ToUser(citizen.pk), ToUser(handler_a.pk), ToPhone("13812345678")]
    first = send(recipients)
    colleague = UserFactory(username="handler_late")
    MembershipFactory(user=colleague, role=Role.HANDLER, department=dept_a)
    second = send(recipients)

    assert (first, second) == (3, 1)  # the retry reaches only the colleague who joined meanwhile
    assert InboxMessage.objects.filter(user=handler_a).count() == 1
    assert InboxMessage.objects.count() == 3
    assert OutboxMessage.objects.count() == 1
    assert send(recipients, key="case:1:accepted:again") == 4


def test_it_leaves_no_rows_when_the_callers_transaction_rolls_back(dept_a, handler_a):
    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        notify(
            to=[ToDepartment(dept_a.pk), ToPhone("13812345678")],
            template="tests.accepted",
            context={"number": "MX001", "title": "营业执照"},
            key="case:1:accepted",
        )
        raise Refused

    assert not InboxMessage.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_names_a_missing_placeholder_and_writes_nothing(handler_a):
    with pytest.raises(KeyError, match="tests.accepted.*'title'"):
        send(ToUser(handler_a.pk), context={"number": "MX001"})
    assert not InboxMessage.objects.exists()


def test_it_names_an_unknown_template():
    with pytest.raises(KeyError, match="cases.nonexistent"):
        render("cases.nonexistent", {})


def test_it_refuses_a_template_without_sms_text_for_a_phone():
    with pytest.raises(KeyError, match="no sms text"):
        send(ToPhone("13812345678"), template="tests.dispatched", context={"code": "A1"})
    assert not OutboxMessage.objects.exists()


def test_it_refuses_to_register_a_second_text_under_one_name():
    from django.core.exceptions import ImproperlyConfigured

    register_templates({"tests.dispatched": MessageTemplate(title="新工单 {code}", body="请及时签收。")})
    with pytest.raises(ImproperlyConfigured, match="tests.dispatched"):
        register_templates({"tests.dispatched": MessageTemplate(title="另一个")})


def test_it_refuses_a_link_off_the_site(handler_a):
    with pytest.raises(ValueError, match="link"):
        send(ToUser(handler_a.pk), link="https://evil.example/")
    with pytest.raises(ValueError, match="link"):
        send(ToUser(handler_a.pk), link="//evil.example/")


def test_it_skips_empty_recipients():
    assert send([ToUser(None), ToPhone("")]) == 0


def test_it_reaches_a_towns_intake_clerks_through_their_hall(meixian, town_hall, county_hall):
    town_clerk = UserFactory(username="town_clerk")
    MembershipFactory(user=town_clerk, role=Role.CLERK, hall=town_hall)
    clerk = UserFactory(username="county_clerk")
    MembershipFactory(user=clerk, role=Role.CLERK, hall=county_hall)

    send(ToRegionQueue(meixian.huaiya.code, Role.CLERK), template="tests.dispatched", context={"code": "A2"})

    assert inbox_of(town_clerk) == ["新工单 A2"]
    assert inbox_of(clerk) == []  # the county hall's clerk is not the town's intake
