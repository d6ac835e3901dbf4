import pytest

from yiwang.ratings.models import Rating, Rectification

pytestmark = pytest.mark.django_db


def test_it_submits_once_with_an_idempotency_key(client, finished_case, citizen):
    client.force_login(citizen)
    body = {"case_number": finished_case.number, "level": 1, "comment": "推诿扯皮"}
    first = client.post("/api/ratings/ratings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/ratings/ratings", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert Rating.objects.count() == 1 and Rectification.objects.count() == 1
    second = client.post(
        "/api/ratings/ratings", {**body, "level": 5}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert second.status_code == 409 and second.json()["code"] == "rating.duplicate"
    assert first.json()["rectification"].startswith("ZG")


def test_it_refuses_bad_input(client, finished_case, citizen, handler_a):
    client.force_login(citizen)
    response = client.post(
        "/api/ratings/ratings", {"case_number": finished_case.number, "level": 9}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "rating.bad_level"
    client.force_login(handler_a)
    response = client.post(
        "/api/ratings/ratings", {"case_number": finished_case.number, "level": 5}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_handlers_list_and_act(client, finished_case, citizen, handler_a, handler_b, supervisor):
    client.force_login(citizen)
    client.post(
        "/api/ratings/ratings",
        {"case_number": finished_case.number, "level": 2, "comment": "慢"},
        content_type="application/json",
    )
    r = Rectification.objects.get()
    client.force_login(handler_b)
    assert client.get("/api/ratings/rectifications").json() == []
    client.force_login(handler_a)
    rows = client.get("/api/ratings/rectifications").json()
    assert [row["number"] for row in rows] == [r.number] and rows[0]["deadline"]["status"] == "normal"
    url = f"/api/ratings/rectifications/{r.pk}/steps"
    for step in (
        {"step": "verify", "note": "已回访核实"},
        {"step": "classify", "classification": "fix_within", "note": "限期整改"},
        {"step": "rectify", "measures_taken": "增设帮办代办岗"},
        {"step": "reply", "reply": "已增设帮办代办岗"},
        {"step": "revisit", "level": 4, "note": "满意"},
    ):
        response = client.post(url, step, content_type="application/json")
        assert response.status_code == 200, response.content
    wrong = client.post(url, {"step": "verify", "note": "再核实"}, content_type="application/json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "rectification.invalid_transition"
    client.force_login(supervisor)
    done = client.post(url, {"step": "review", "accept": True}, content_type="application/json")
    assert done.json()["state"] == "closed" and done.json()["on_time"] is True
    figures = client.get("/api/ratings/figures?by=department").json()
    assert figures[0]["count"] == 1 and figures[0]["bad"] == 1


def test_the_figures_are_those_of_the_callers_area(client, huaiya_supervisor, leader):
    """``/figures`` once summed every region's ratings for anyone granted ``ratings.measures``: a town's
    supervisor read the county's (and any other county's) figures that the targets page keeps from them."""
    from django.urls import reverse

    def figures(user, by: str) -> tuple[int, int]:
        client.force_login(user)
        rows = client.get(f"/api/ratings/figures?by={by}").json()
        return sum(row["count"] for row in rows), sum(row["bad"] for row in rows)

    def on_the_page(user) -> tuple[int, int]:
        client.force_login(user)
        totals = client.get(reverse("ratings:targets")).context["totals"]
        return totals["count"], totals["bad"]

    for by in ("department", "month", "channel"):
        assert figures(huaiya_supervisor, by) == on_the_page(huaiya_supervisor) == (2, 1), by
        assert figures(leader, by) == on_the_page(leader) == (5, 3), by
