"""The applicant's finished case page and replied appeal page link to the rating form."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_finished_case_links_to_its_rating(client, finished_case, make_case, citizen):
    client.force_login(citizen)
    html = client.get(reverse("cases:my_case", args=[finished_case.number])).content.decode()
    assert reverse("ratings:rate_case", args=[finished_case.number]) in html
    open_case = make_case(finished=False)
    html = client.get(reverse("cases:my_case", args=[open_case.number])).content.decode()
    assert "去评价" not in html


def test_a_replied_appeal_links_to_its_rating(client, replied_appeal, citizen):
    client.force_login(citizen)
    html = client.get(reverse("hotline:track"), {"code": replied_appeal.code, "phone_last4": "2345"}).content.decode()
    assert reverse("ratings:rate_appeal", args=[replied_appeal.code]) in html
