"""目标与时限依据: each number as enforced, with its source — plan section, law article or 县级默认."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from yiwang.org.models import Membership, Role
from yiwang.portal.limits import COUNTY_DEFAULT, COUNTY_SETTING, LAW, PLAN, limit_rows

pytestmark = pytest.mark.django_db


def _row(body: str, label: str) -> str:
    """The table row whose header cell is ``label`` (its HTML, tags kept)."""
    match = re.search(r"<tr[^>]*>\s*<th[^>]*>" + re.escape(label) + r"</th>.*?</tr>", body, re.S)
    assert match, f"no row {label!r}"
    return match.group(0)


def _rows():
    return {(r.group, r.label): r for r in limit_rows()}


def test_plan_numbers_cite_their_section_and_county_defaults_say_so(client):
    body = client.get(reverse("portal:limits")).content.decode()
    online = _row(body, "政务服务事项网上可办率")
    assert "60%" in online and "实施方案" in online and "二、（一）(2)" in online
    opening = _row(body, "企业开办办结时间")
    assert "1 个工作日内" in opening and "三、2" in opening
    general = _row(body, "答复：一般问题")
    assert "5 个工作日" in general and "县级默认" in general and "方案、法律均未给出数值" in general
    extension = _row(body, "审批延期（经本机关负责人批准，一次）")
    assert "10 个工作日" in extension and "法律规定" in extension and "第四十二条" in extension
    deferral = _row(body, "容缺受理后补齐材料")
    assert "10 个工作日" in deferral and "县级默认" in deferral
    assert "12345 诉求" in body and "办不成事" in body


def test_each_row_has_the_source_its_basis_implies():
    rows = _rows()
    assert rows[("办不成事", "复杂问题答复或办结")].source == PLAN
    assert rows[("办不成事", "复杂问题答复或办结")].value == "7 个工作日内"
    assert rows[("办件", "决定书送达")].source == LAW
    assert rows[("12345 诉求", "单次延期最长")].source == COUNTY_DEFAULT
    assert rows[("12345 诉求", "紧急诉求答复")].value == "24 小时"
    assert rows[("期限预警", "临期预警（已用时限占比）")].value == "80%"
    for row in rows.values():
        assert row.source != COUNTY_DEFAULT or row.basis == "方案、法律均未给出数值", row


@override_settings(HOTLINE={"REPLY_WORKDAYS": {"general": 3}}, YIWANG_CATALOG_TARGETS={"online_rate": 0.7})
def test_a_deployments_own_numbers_show_as_its_setting_and_keep_the_plans_basis():
    rows = _rows()
    general = rows[("12345 诉求", "答复：一般问题")]
    assert (general.value, general.source) == ("3 个工作日", COUNTY_SETTING)
    assert rows[("12345 诉求", "答复：复杂问题")].value == "7 个工作日"  # nested keys merge one by one
    online = rows[("目标", "政务服务事项网上可办率")]
    assert (online.value, online.source, online.basis) == ("70%", COUNTY_SETTING, "二、（一）(2)")


def test_settings_names_are_shown_to_staff_only(client):
    body = client.get(reverse("portal:limits")).content.decode()
    assert "REPLY_WORKDAYS" not in body and "设置项" not in body
    user = get_user_model().objects.create_user(username="leader-l", password="Leader-l-2026!x")
    Membership.objects.create(user=user, role=Role.ADMIN)
    client.force_login(user)
    body = client.get(reverse("portal:limits")).content.decode()
    assert 'HOTLINE["REPLY_WORKDAYS"]["general"]' in body.replace("&quot;", '"')
    assert "yiwang.catalog.rules.MAX_VISITS" in body
