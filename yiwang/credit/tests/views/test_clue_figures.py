"""The figures above the staff clue list cover every department the reader may see: they once summed the
clues of the first 50 of them only, so a handler of more departments saw too few clues pushed."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.credit import measures
from yiwang.measures.services import measure_add
from yiwang.org.models import Role
from yiwang.org.tests.factories import DepartmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_clue_figures_count_the_clues_of_every_department(client, meixian, dept_a, handler_a):
    departments = [dept_a] + [
        DepartmentFactory(code=f"station-{i:02d}", name=f"眉县第{i:02d}监管所", region=meixian.county)
        for i in range(59)
    ]
    for department in departments[1:]:
        MembershipFactory(user=handler_a, role=Role.HANDLER, department=department)
    other = DepartmentFactory(code="other", name="眉县其他局", region=meixian.county)
    pushed = timezone.now()
    with transaction.atomic():
        for department in [*departments, other]:
            measure_add(
                metric=measures.CLUES,
                on=pushed,
                region=meixian.county,
                department=department,
                key="serious_penalty",
                count=1,
                fed_back=1,
                handled_on_time=1,
            )

    client.force_login(handler_a)
    response = client.get(reverse("credit:clues"))

    assert response.status_code == 200
    # 60 departments of the handler, one clue each; the clue of a department not theirs is not counted
    assert "推送 60 · 已反馈 60 · 按期 60" in response.content.decode()
