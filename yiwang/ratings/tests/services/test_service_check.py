"""The quarterly service check: scheduling, findings → rectifications, repeats, the report totals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yiwang.core.errors import ApplicationError
from yiwang.ratings import reports, selectors
from yiwang.ratings.models import Rectification
from yiwang.ratings.services import (
    check_assign,
    check_schedule,
    finding_record,
    monitor_add,
    rectification_rectify,
    rectification_reply,
    rectification_review,
    rectification_revisit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarter(meixian, county_hall, town_hall, dept_a, dept_b, supervisor, handler_a):
    """Q1 with one attitude finding at the county hall; Q2 with three findings, one fixed, one a repeat."""
    monitor = monitor_add(
        region=meixian.county, name="张建国", kind="citizen", organisation="槐芽镇群众代表", actor=supervisor
    )
    q1 = check_schedule(region=meixian.county, year=2026, quarter=1, actor=supervisor)
    finding_record(
        check=q1,
        hall=county_hall,
        department=dept_a,
        category="attitude",
        severity="general",
        description="窗口人员态度生硬",
        actor=supervisor,
    )
    q2 = check_schedule(region=meixian.county, year=2026, quarter=2, actor=supervisor)
    check_assign(check=q2, monitor=monitor, hall=county_hall, actor=supervisor)
    repeat = finding_record(
        check=q2,
        hall=county_hall,
        department=dept_a,
        category="attitude",
        severity="serious",
        description="再次发现窗口人员玩手机",
        monitor=monitor,
        actor=supervisor,
        window=county_hall.windows.get(number=1),
        photo=SimpleUploadedFile("p.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
    )
    fixed = finding_record(
        check=q2,
        hall=town_hall,
        department=dept_b,
        category="guidance",
        severity="minor",
        description="办事指南未更新",
        actor=supervisor,
    )
    finding_record(
        check=q2,
        hall=county_hall,
        department=dept_a,
        category="facilities",
        severity="minor",
        description="自助终端故障",
        actor=supervisor,
    )
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    handler = UserFactory(username="handler_b2", display_name="吴刚")
    MembershipFactory(user=handler, role=Role.HANDLER, department=dept_b)
    r = fixed.rectification
    r = rectification_rectify(rectification=r, measures_taken="更新办事指南并上墙", actor=handler)
    r = rectification_reply(rectification=r, reply="已更新", actor=handler)
    r = rectification_revisit(rectification=r, level=5, note="复查合格", actor=handler)
    rectification_review(rectification=r, accept=True, note="", actor=supervisor)
    return q2, repeat


def test_findings_open_rectifications_and_repeats_are_marked(quarter):
    q2, repeat = quarter
    assert repeat.repeated
    assert Rectification.objects.filter(source="finding").count() == 4
    assert repeat.rectification.state == "rectifying" and repeat.rectification.clock.days == 5


def test_the_report_totals(quarter):
    q2, _ = quarter
    report = selectors.check_report(q2)
    assert (report.total, report.fixed, report.open, report.annulled, report.repeated) == (3, 1, 2, 0, 1)
    assert dict(report.by_category) == {"服务态度": 1, "指南与告知": 1, "场所设施": 1}
    assert report.by_hall == [("槐芽镇便民服务中心", 1, 1), ("眉县政务服务中心", 2, 0)]
    wb = load_workbook(__import__("io").BytesIO(reports.check_report_xlsx(report)))
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(values_only=True) if row and row[0]}
    assert summary["发现问题"] == 3 and summary["已整改办结"] == 1 and summary["仍在整改"] == 2
    rows = list(wb["问题清单"].iter_rows(values_only=True))
    assert len(rows) == 4 and sum(1 for r in rows[1:] if r[8] == "是") == 1
    assert reports.check_report_pdf(report).startswith(b"%PDF")


def test_one_check_per_quarter_and_bad_input(quarter, meixian, county_hall, dept_a, supervisor, handler_a):
    q2, _ = quarter
    with pytest.raises(ApplicationError) as error:
        check_schedule(region=meixian.county, year=2026, quarter=2, actor=supervisor)
    assert error.value.code == "servicecheck.duplicate"
    with pytest.raises(ApplicationError) as error:
        check_schedule(region=meixian.county, year=2026, quarter=5, actor=supervisor)
    assert error.value.code == "servicecheck.bad_quarter"
    with pytest.raises(ApplicationError) as error:
        finding_record(
            check=q2,
            hall=county_hall,
            department=dept_a,
            category="attitude",
            severity="minor",
            description="照片格式不对",
            actor=supervisor,
            photo=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    assert error.value.code == "finding.bad_photo"
    with pytest.raises(ApplicationError) as error:
        check_schedule(region=meixian.county, year=2026, quarter=3, actor=handler_a)
    assert error.value.status == 403
