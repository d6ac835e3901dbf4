"""Each figure on the 好差评 targets page opens the ratings or rectifications counted in it."""

import re
from html import unescape

import pytest
from django.urls import reverse

from yiwang.ratings.services import rating_submit

pytestmark = pytest.mark.django_db


def test_each_target_figure_lists_exactly_its_rows(client, make_case, citizen, leader, handler_b, dept_b):
    # three ratings: one very satisfied, two bad (each opens a rectification for the case's department)
    for level, comment in ((5, "办得快"), (1, "态度差"), (2, "让我跑了两趟")):
        rating_submit(actor=citizen, case=make_case(), level=level, channel="online", comment=comment)
    client.force_login(leader)
    page = client.get(reverse("ratings:targets"))
    totals, targets = page.context["totals"], page.context["targets"]
    assert (totals["count"], totals["bad"]) == (3, 2)
    links = dict(re.findall(r'data-figure="([\w-]+)" href="([^"]+)"', unescape(page.content.decode())))
    expected = {
        "callback-num": targets[0].numerator,
        "callback-den": targets[0].denominator,
        "closed-num": targets[1].numerator,
        "closed-den": targets[1].denominator,
        "ontime-num": targets[2].numerator,
        "ontime-den": targets[2].denominator,
        "rated": totals["count"],
        "bad": totals["bad"],
        "implicit": totals["implicit"],
    }
    assert set(links) == set(expected)
    assert targets[1].denominator == 2
    for name, figure in expected.items():
        listed = client.get(links[name])
        assert listed.status_code == 200, name
        assert listed.context["total"] == figure == len(listed.context["page"].object_list), name
    # filterable by department; a department outside the figure lists nothing
    other = client.get(links["bad"] + f"&department={dept_b.pk}")
    assert other.context["total"] == 0
    assert client.get(reverse("ratings:figure_rows") + "?metric=ratings.rated&field=level_sum").status_code == 400
    client.force_login(handler_b)
    assert client.get(links["bad"]).status_code == 403


def test_a_town_supervisor_reads_the_figures_of_their_town(client, huaiya_supervisor, leader):
    """The targets page once summed every region's ratings while the lists behind its figures held the
    reader's region only: a town's supervisor read the county's (and any other county's) figures."""

    def figures(user) -> tuple:
        client.force_login(user)
        page = client.get(reverse("ratings:targets"))
        totals, targets = page.context["totals"], page.context["targets"]
        by_department = sum(row["count"] for row in page.context["rows"])
        rated = client.get(reverse("ratings:figure_rows") + "?metric=ratings.rated").context["total"]
        bad = client.get(reverse("ratings:figure_rows") + "?metric=ratings.rectifications&field=real_name")
        return totals["count"], by_department, rated, totals["bad"], targets[0].denominator, bad.context["total"]

    # (ratings, by department, listed; bad ratings, real-name rectifications, listed)
    assert figures(huaiya_supervisor) == (2, 2, 2, 1, 1, 1)
    assert figures(leader) == (5, 5, 5, 3, 3, 3)
