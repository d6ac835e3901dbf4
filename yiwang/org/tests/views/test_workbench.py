import datetime as dt

from django.utils import timezone

from yiwang.org.tests.factories import UserFactory
from yiwang.workdays.selectors import add_workdays, is_workday


def test_it_sends_a_stranger_to_the_login_page(client, db):
    response = client.get("/workbench/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/workbench/"


def test_it_shows_a_clerk_their_name_hall_window_and_the_working_day(client, clerk):
    client.force_login(clerk)
    html = client.get("/workbench/").content.decode()
    assert "您好，刘芳" in html
    assert "综合窗口" in html
    assert "眉县政务服务中心" in html and "1号 综合受理窗口" in html
    assert "前台综合受理" in html

    today = timezone.localdate()
    assert ("<strong>工作日</strong>" in html) == is_workday(today)
    next_day = add_workdays(today, 1).due
    assert f"下一个工作日：{next_day.year}年{next_day.month}月{next_day.day}日" in html


def test_it_shows_a_rest_day_with_its_name(client, clerk, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 10, 1))
    client.force_login(clerk)
    html = client.get("/workbench/").content.decode()
    assert "<strong>休息日</strong>" in html
    assert "国庆" in html
    assert "2026年10月1日 星期四" in html


def test_it_shows_a_handler_their_department_and_no_admin_links(client, handler_a):
    client.force_login(handler_a)
    html = client.get("/workbench/").content.decode()
    assert "部门经办" in html and "眉县行政审批服务局" in html
    assert 'data-role="handler"' in html
    assert 'data-role="admin"' not in html
    assert "/admin/org/user/" not in html
    assert "日历导入" not in html


def test_it_gives_an_administrator_the_admin_links(client, admin_user):
    client.force_login(admin_user)
    html = client.get("/workbench/").content.decode()
    for label, url in [
        ("工作日历", "/workdays/"),
        ("日历导入", "/workdays/import/"),
        ("部门与别名", "/org/departments/"),
        ("用户", "/admin/org/user/"),
        ("API 文档", "/api/docs"),
    ]:
        assert f'<a href="{url}">{label}</a>' in html


def test_it_shows_a_leader_their_region(client, leader):
    client.force_login(leader)
    html = client.get("/workbench/").content.decode()
    assert "负责区域：眉县" in html
    assert "领导看板" in html


def test_it_tells_a_user_without_roles_to_ask_for_one(client, meixian):
    client.force_login(UserFactory(username="nobody", display_name="无角色"))
    html = client.get("/workbench/").content.decode()
    assert "尚未分配角色" in html
    assert '<a href="/profile/">个人信息</a>' in html
