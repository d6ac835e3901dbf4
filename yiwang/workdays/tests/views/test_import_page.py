import datetime as dt

import pytest
from django.urls import reverse

from yiwang.core.models import AuditEvent
from yiwang.workdays.models import CalendarDay, CalendarYear
from yiwang.workdays.tests.data import CSV_2027
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db

URL = "/workdays/import/"


def test_it_is_at_the_documented_address():
    assert reverse("workdays:import") == URL


def test_it_is_for_staff_only(client, clerk):
    response = client.get(URL)
    assert response.status_code == 302
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": CSV_2027, "format": "auto", "action": "confirm"}).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_is_for_administrators_not_for_django_staff(client, django_staff):
    # calendar.manage: an administrator membership or a superuser; is_staff alone opens only the Django admin.
    client.force_login(django_staff)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": CSV_2027, "format": "auto", "action": "confirm"}).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_previews_then_imports_on_confirmation(client, staff_user):
    clock = start_clock(dt.date(2026, 12, 25), 10)
    client.force_login(staff_user)
    assert client.get(URL).status_code == 200

    preview = client.post(URL, {"text": CSV_2027, "format": "auto", "action": "preview"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "预览：2027 年" in html
    assert "<td>2027-02-20</td>" in html
    assert html.count("<td>调休上班</td>") == 2
    assert "将重新计算 1 个期限" in html
    assert 'value="confirm"' in html
    assert not CalendarDay.objects.filter(year=2027).exists()

    confirmed = client.post(URL, {"text": CSV_2027, "year": "2027", "format": "auto", "action": "confirm"}, follow=True)
    assert confirmed.redirect_chain[-1][0] == "/workdays/?year=2027"
    assert "已导入 2027 年：27 个放假日，2 个调休上班日" in confirmed.content.decode()
    assert CalendarDay.objects.filter(year=2027).count() == 29
    year = CalendarYear.objects.get(year=2027)
    assert (year.official, year.imported_by) == (True, staff_user)
    clock.refresh_from_db()
    assert (clock.due_on, clock.provisional) == (dt.date(2027, 1, 12), False)
    assert AuditEvent.objects.get(action="workdays.calendar_imported").actor_id == staff_user.pk


def test_it_imports_an_uploaded_notice(client, staff_user):
    client.force_login(staff_user)
    notice = "2027年部分节假日安排\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("notice.txt", notice, content_type="text/plain")
    preview = client.post(URL, {"file": upload, "format": "auto", "action": "preview"})
    html = preview.content.decode()
    assert "识别为通知原文" in html
    assert "2027年部分节假日安排" in html  # the file's text is carried into the textarea for confirmation


def test_it_shows_errors_with_line_numbers_and_changes_nothing(client, staff_user):
    client.force_login(staff_user)
    before = CalendarDay.objects.count()
    response = client.post(
        URL,
        {
            "text": "2027-01-01,holiday,元旦\n2027-01-01..2027-01-03,holiday,元旦\n",
            "action": "confirm",
            "format": "auto",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "第 2 行：日期 2027-01-01 与第 1 行重复或重叠" in html
    assert CalendarDay.objects.count() == before
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_it_asks_for_some_text(client, staff_user):
    client.force_login(staff_user)
    html = client.post(URL, {"text": " ", "format": "auto", "action": "preview"}).content.decode()
    assert "请粘贴通知原文，或上传一个文件" in html
