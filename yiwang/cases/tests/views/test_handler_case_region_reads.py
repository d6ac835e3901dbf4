"""The handler's case page reads the case's child rows with the case's region — corrections and their entries,
extensions, materials and their files, deferred materials, the pledge, and for a bundle's part those of the
application it belongs to and its company-to-be — so on a cluster distributed by county each statement goes to
the case's shard (docs/scale.md, step 3), not to every shard by the case's id."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases import services
from yiwang.cases.models import Case

from ..conftest import FORM
from ..factories import pdf_file
from ..founding_fixtures import accept, founding_bundle, submit  # noqa: F401

pytestmark = pytest.mark.django_db

CHILD_TABLES = {
    "cases_correctionrequest",
    "cases_correctionentry",
    "cases_extension",
    "cases_casematerial",
    "cases_caseupload",
    "cases_deferredmaterial",
    "cases_pledge",
    "cases_founding",
    "cases_foundingshareholder",
}
SELECT_FROM = re.compile(r'^\s*SELECT .*? FROM "(\w+)"', re.S)


def _child_reads(client, url: str) -> tuple[dict[str, list[str]], str]:
    """The page's SELECTs from the child tables, by table (after a first request that warms the session)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    reads: dict[str, list[str]] = {}
    for query in captured.captured_queries:
        found = SELECT_FROM.match(query["sql"])
        if found and found.group(1) in CHILD_TABLES:
            reads.setdefault(found.group(1), []).append(query["sql"])
    return reads, page.content.decode()


def _unpinned(reads: dict[str, list[str]], region_id: int) -> list[str]:
    return [sql for table, sqls in reads.items() for sql in sqls if f'"{table}"."region_id" = {region_id}' not in sql]


def test_it_reads_corrections_extensions_and_the_pledge_with_the_case_region(
    client, citizen, person, food_item, clerk, handler_a
):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    services.case_correction_request(
        case=case, actor=clerk, entries=[{"code": "M03", "problem": "missing", "note": "请提供房屋租赁合同"}]
    )
    services.case_material_upload(case=case, material_code="M03", upload=pdf_file("租赁合同.pdf"), actor=citizen)
    case = services.case_correction_supply(case=case, actor=citizen)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    case = services.case_assign(case=case, actor=handler_a)
    services.case_extension_request(case=case, actor=handler_a, reason="需征求县消防救援大队意见")
    client.force_login(handler_a)

    reads, page = _child_reads(client, f"/cases/handling/case/{case.number}/")

    for table in (
        "cases_correctionrequest",
        "cases_correctionentry",
        "cases_extension",
        "cases_casematerial",
        "cases_caseupload",
        "cases_pledge",
    ):
        assert reads.get(table), f"the page read nothing from {table}"
    assert _unpinned(reads, case.region_id) == []
    assert "租赁合同.pdf" in page and 'data-testid="handler-pledge"' in page


@pytest.mark.usefixtures("founding_bundle")
def test_a_bundle_part_reads_its_application_with_the_region(client, citizen, meixian, clerk, handler_a):
    bundle = accept(submit(citizen, meixian), clerk)
    registration = bundle.children.order_by("number").first()
    services.case_assign(case=registration, actor=handler_a)
    client.force_login(handler_a)

    reads, page = _child_reads(client, f"/cases/handling/case/{registration.number}/")

    for table in ("cases_casematerial", "cases_founding", "cases_foundingshareholder"):
        assert reads.get(table), f"the page read nothing from {table}"
    assert _unpinned(reads, registration.region_id) == []
    # The bundle's merged materials and its company-to-be are on the part's page.
    first_material = Case.objects.get(pk=bundle.pk).materials.order_by("position").first()
    assert first_material.name in page and "拟设企业名称" in page
