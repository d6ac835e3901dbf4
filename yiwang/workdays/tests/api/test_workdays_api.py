import pytest

pytestmark = pytest.mark.django_db


def test_it_adds_working_days(client):
    response = client.get("/api/workdays/add", {"start": "2026-02-12", "days": 20})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-02-12", "days": 20, "due": "2026-03-18", "provisional": False}


def test_it_marks_2027_provisional(client):
    response = client.get("/api/workdays/add", {"start": "2027-01-05", "days": 3})
    assert response.json() == {"start": "2027-01-05", "days": 3, "due": "2027-01-08", "provisional": True}


def test_it_refuses_negative_days_with_a_code(client):
    response = client.get("/api/workdays/add", {"start": "2026-02-12", "days": -1})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "workdays.negative_days"
    assert body["message"] == "工作日数不能为负数：-1"


def test_it_refuses_a_malformed_date_from_the_schema(client):
    response = client.get("/api/workdays/add", {"start": "2026-02-30", "days": 1})
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_it_counts_working_days(client):
    response = client.get("/api/workdays/count", {"start": "2026-02-12", "end": "2026-03-18"})
    assert response.status_code == 200
    assert response.json() == {"workdays": 20, "provisional": False}
    response = client.get("/api/workdays/count", {"start": "2026-12-25", "end": "2027-01-11"})
    assert response.json() == {"workdays": 10, "provisional": True}


def test_it_describes_a_day(client):
    assert client.get("/api/workdays/day", {"date": "2026-02-17"}).json() == {
        "date": "2026-02-17",
        "workday": False,
        "name": "春节",
        "provisional": False,
    }
    assert client.get("/api/workdays/day", {"date": "2026-02-14"}).json() == {
        "date": "2026-02-14",
        "workday": True,
        "name": "春节",
        "provisional": False,
    }
    assert client.get("/api/workdays/day", {"date": "2026-03-09"}).json() == {
        "date": "2026-03-09",
        "workday": True,
        "name": None,
        "provisional": False,
    }
    assert client.get("/api/workdays/day", {"date": "2027-02-05"}).json() == {
        "date": "2027-02-05",
        "workday": False,
        "name": "春节",
        "provisional": True,
    }


def test_it_refuses_a_date_outside_the_calendar(client):
    response = client.get("/api/workdays/day", {"date": "1999-01-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "workdays.out_of_range"


def test_it_needs_no_login(client):
    response = client.get("/api/workdays/day", {"date": "2026-03-09"})
    assert response.status_code == 200
