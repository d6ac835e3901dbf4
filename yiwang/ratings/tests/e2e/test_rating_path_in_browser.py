"""In a real Chromium: the applicant rates a finished case 非常不满意, the department verifies,
classifies, rectifies, replies and revisits, the supervisor accepts, and the public page shows the fix."""

import pytest

from yiwang.ratings.models import Rating, Rectification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"ratings-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def test_a_very_bad_rating_is_followed_to_closure(
    signed_in, page, live_server, finished_case, citizen, handler_a, supervisor, axe, screenshot_dir
):
    applicant = signed_in("citizen")
    applicant.goto(f"{live_server.url}/cases/mine/{finished_case.number}/")
    applicant.get_by_role("link", name="去评价").click()
    applicant.wait_for_url(f"**/ratings/rate/case/{finished_case.number}/")
    assert axe(applicant) == []
    applicant.get_by_label("非常不满意", exact=True).check()
    applicant.get_by_label("评价内容（差评请说明原因）").fill("窗口推诿，让我来回跑了三趟")
    applicant.get_by_role("button", name="提交评价").click()
    applicant.wait_for_url("**/ratings/mine/")
    _shot(applicant, screenshot_dir, "1-rated", "感谢您的评价", "非常不满意", "待核实")
    r = Rectification.objects.get()

    department = signed_in("handler_a")
    department.goto(f"{live_server.url}/ratings/staff/rectifications/")
    _shot(department, screenshot_dir, "2-queue", r.number, "待核实")
    department.get_by_role("link", name="办理").click()
    department.get_by_label("核实情况").fill("电话联系王女士，核实窗口未一次性告知")
    department.get_by_role("button", name="提交").click()
    department.get_by_label("定性", exact=True).select_option("fix_now")
    department.get_by_label("定性说明").fill("诉求清楚合理，立行立改")
    department.get_by_role("button", name="提交").click()
    department.get_by_label("整改措施（改了什么）").fill("窗口推行一次性告知单，对当事人批评教育")
    department.get_by_role("button", name="提交").click()
    department.get_by_label("答复评价人").fill("您反映的问题已整改，感谢监督")
    department.get_by_role("button", name="提交").click()
    department.get_by_label("回访满意度").select_option("4")
    department.get_by_label("回访记录").fill("回访王女士，对整改表示认可")
    department.get_by_role("button", name="提交").click()
    _shot(department, screenshot_dir, "3-revisited", "待督查审核", "窗口推行一次性告知单")

    office = signed_in("supervisor")
    office.goto(f"{live_server.url}/ratings/supervision/rectifications/")
    office.get_by_role("link", name="审核").click()
    office.get_by_label("审核结果").select_option("accept")
    office.get_by_role("button", name="提交审核意见").click()
    office.wait_for_url("**/ratings/supervision/rectifications/")
    r.refresh_from_db()
    assert r.state == Rectification.State.CLOSED and r.on_time

    public = page  # not signed in
    public.goto(f"{live_server.url}/ratings/")
    _shot(public, screenshot_dir, "4-public", "窗口推行一次性告知单", "非常不满意")
    assert "王秀兰" not in public.locator("body").inner_text()
    assert axe(public) == []


def test_the_applicant_taps_the_windows_pad(signed_in, live_server, counter_case, clerk, axe, screenshot_dir):
    window = signed_in("clerk")
    window.goto(f"{live_server.url}/ratings/pad/")
    window.get_by_role("link", name="打开评价器").click()
    window.wait_for_url(f"**/ratings/pad/{counter_case.number}/")
    assert axe(window) == []
    _shot(window, screenshot_dir, "5-pad", "请您对本次服务进行评价", "非常满意", "非常不满意")
    window.get_by_role("button", name="不满意", exact=True).click()
    _shot(window, screenshot_dir, "6-pad-reason", "差评请简要说明原因")
    window.get_by_text("等候时间长").click()
    window.get_by_role("button", name="不满意", exact=True).click()
    _shot(window, screenshot_dir, "7-pad-thanks", "感谢您的评价")
    rating = Rating.objects.get()
    assert rating.channel == "pad" and rating.level == 2 and rating.comment == "等候时间长"
    assert Rectification.objects.filter(rating=rating).exists()
