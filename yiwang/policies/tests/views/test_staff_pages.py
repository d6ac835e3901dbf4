import pytest
from django.urls import reverse

from yiwang.core.models import AuditEvent
from yiwang.policies.models import Policy, PolicyMatch

pytestmark = pytest.mark.django_db


def _rows(*rows, mode="all", extra=0):
    data = {"mode": mode, "form-TOTAL_FORMS": str(len(rows) + extra), "form-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{i}-{key}"] = value
    return data


def test_the_rule_editor_saves_labels_as_codes(client, officer, draft_policy, meixian):
    client.force_login(officer)
    url = reverse("policies:staff_rules", args=[draft_policy.pk])
    assert "槐芽镇" in client.get(url).content.decode()
    data = _rows(
        {"attribute": "size", "operator": "in", "values": "小型、微型"},
        {"attribute": "town", "operator": "in", "values": "槐芽镇，营头镇"},
        {"attribute": "registered_capital", "operator": "range", "min": "50", "max": ""},
        extra=1,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    draft_policy.refresh_from_db()
    assert draft_policy.rules == {
        "mode": "all",
        "conditions": [
            {"attribute": "size", "operator": "in", "values": ["small", "micro"]},
            {"attribute": "town", "operator": "in", "values": [meixian.huaiya.code, meixian.yingtou.code]},
            {"attribute": "registered_capital", "operator": "range", "min": "50", "max": None},
        ],
    }
    assert AuditEvent.objects.filter(action="policy.rules_set").count() == 1
    # shown again as labels
    body = client.get(url).content.decode()
    assert "小型、微型" in body and "槐芽镇、营头镇" in body


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            {"attribute": "registered_capital", "operator": "range", "min": "200", "max": "100"},
            "下限 200 万元大于上限 100 万元",
        ),
        ({"attribute": "town", "operator": "in", "values": ""}, "条件项“所在镇街”的取值不能为空"),
        ({"attribute": "registered_capital", "operator": "prefix", "values": "1"}, "不能使用运算“以…开头”"),
        ({"attribute": "town", "operator": "in", "values": "太白县"}, "所在镇街“太白县”不是本县的镇街区划代码"),
        ({"attribute": "", "operator": "in", "values": "小型"}, "未知的条件项“None”"),
    ],
)
def test_the_rule_editor_shows_the_specific_error_and_changes_nothing(
    client, officer, draft_policy, meixian, row, message
):
    client.force_login(officer)
    before = draft_policy.rules
    response = client.post(reverse("policies:staff_rules", args=[draft_policy.pk]), _rows(row))
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "享受条件有误" in body
    draft_policy.refresh_from_db()
    assert draft_policy.rules == before


def test_an_officer_creates_publishes_and_sees_the_reach(client, officer, entities, django_capture_on_commit_callbacks):
    client.force_login(officer)
    response = client.post(
        reverse("policies:staff_new"),
        {
            "title": "眉县小微企业稳岗补贴",
            "issuer": "眉县人力资源和社会保障局",
            "document_number": "眉人社发〔2026〕8号",
            "level": "county",
            "issued_on": "2026-03-01",
            "effective_on": "2026-03-01",
            "expires_on": "2026-12-31",
            "benefit_kind": "employment",
            "benefit_amount": "5000",
            "interpretation": "不裁员或少裁员的小微企业可享受稳岗补贴。",
            "full_text": "第一条……",
            "steps_text": "系统比对\n公示\n拨付",
        },
    )
    policy = Policy.objects.get()
    assert response.status_code == 302 and policy.steps == ["系统比对", "公示", "拨付"]
    response = client.post(
        reverse("policies:staff_rules", args=[policy.pk]),
        _rows({"attribute": "tag", "operator": "has", "values": "小微企业"}),
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("policies:staff_publish", args=[policy.pk]))
    page = client.get(reverse("policies:staff_policy", args=[policy.pk])).content.decode()
    assert "政策已发布" in page
    assert PolicyMatch.objects.filter(policy=policy).count() == 1
    page = client.get(reverse("policies:staff_policy", args=[policy.pk])).content.decode()
    assert "眉县金桔猕猴桃专业合作社" in page and "<svg" in page


def test_the_enterprise_sees_eligible_and_not_eligible_with_reasons(
    client, officer, enterprise_user, entities, draft_policy, django_capture_on_commit_callbacks
):
    from yiwang.policies import services

    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=draft_policy, actor=officer)
    other = services.policy_create(
        actor=officer,
        department=draft_policy.department,
        values={
            "title": "农家乐提升改造奖补",
            "issuer": "眉县文化和旅游局",
            "document_number": "眉文旅发〔2026〕3号",
            "issued_on": draft_policy.issued_on,
            "effective_on": draft_policy.effective_on,
            "full_text": "……",
            "interpretation": "……",
            "benefit_kind": "award",
        },
    )
    services.policy_rules_set(
        policy=other,
        actor=officer,
        rules={"conditions": [{"attribute": "tag", "operator": "has", "values": ["农家乐"]}]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=other, actor=officer)
    client.force_login(enterprise_user)
    body = client.get(reverse("policies:mine")).content.decode()
    assert draft_policy.title in body and "注册资本 200 万元，满足 ≥ 100 万元" in body
    assert "农家乐提升改造奖补" in body and "标签 标签为小微企业，不满足 具有标签农家乐" in body
    match = PolicyMatch.objects.get(policy=draft_policy)
    page = client.get(reverse("policies:mine_apply", args=[match.pk])).content.decode()
    assert enterprise_user.uscc in page and "免填报" in page
    response = client.post(
        reverse("policies:mine_apply", args=[match.pk]), {"contact_name": "赵海涛", "contact_phone": "12"}
    )
    assert "请输入11位手机号码" in response.content.decode()
    response = client.post(
        reverse("policies:mine_apply", args=[match.pk]), {"contact_name": "赵海涛", "contact_phone": "13891712345"}
    )
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.applied_at is not None
