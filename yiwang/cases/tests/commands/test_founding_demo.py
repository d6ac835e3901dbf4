"""The 企业开办 demo goes through the services: codes assigned at registration, most within the target,
a late one says why; a second run creates nothing."""

from io import StringIO

import pytest

from yiwang.cases.demo import founding as demo
from yiwang.cases.founding_models import Founding
from yiwang.cases.founding_selectors import founding_timing
from yiwang.core.identifiers import is_valid_uscc
from yiwang.credit.models import Entity

from ..founding_fixtures import founding_bundle  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("founding_bundle")]


def test_the_founding_demo_assigns_codes_and_measures_each_company(
    monkeypatch, meixian, clerk, handler_a, handler_b, admin_user, dept_a, dept_b
):
    companies = [row for row in demo.COMPANIES if row[1] in ("营头镇", "槐芽镇", "首善街道")]
    late_one = ("眉县汤峪温泉山居农家乐有限公司", "槐芽镇", *demo.COMPANIES[3][2:])
    monkeypatch.setattr(demo, "COMPANIES", [*companies, late_one])
    monkeypatch.setattr(demo, "BACK_OFFICE", {dept_a.code: ("a", "甲"), dept_b.code: ("b", "乙")})
    out = StringIO()
    demo.seed(stdout=out)
    foundings = list(Founding.objects.select_related("case").order_by("case__submitted_at"))
    assert len(foundings) == len(companies) + 1 == 4
    assert all(is_valid_uscc(f.uscc) and f.uscc.startswith("91610326MA6W") for f in foundings)
    assert Entity.objects.filter(uscc__in=[f.uscc for f in foundings]).count() == 4
    late = [f for f in foundings if not founding_timing(f.case)["within"]]
    assert [f.proposed_name for f in late] == ["眉县汤峪温泉山居农家乐有限公司"]
    assert founding_timing(late[0].case)["reasons"][0].startswith("印章刻制备案")
    assert "4 家，其中超出1个工作日 1 家" in out.getvalue()
    demo.seed(stdout=out)
    assert Founding.objects.count() == 4
