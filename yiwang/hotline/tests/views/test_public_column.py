import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.hotline import selectors, services
from yiwang.hotline.models import Appeal
from yiwang.org.tests.factories import DepartmentFactory

FORM = {
    "kind": "complaint",
    "title": "红河谷村通村路坑洼",
    "content": "红河谷村到营头镇的通村路坑洼积水，车辆通行困难，电话 13991712345 联系我。",
    "anonymous": "",
    "contact_name": "张建国",
    "contact_phone": "13991712345",
    "public_consent": "on",
    "submission_key": "form-key-1",
}


def test_it_shows_the_column(client, categories):
    response = client.get(reverse("hotline:index"))
    assert response.status_code == 200
    assert "有问必应、接诉即办" in response.content.decode()


def test_it_submits_and_shows_the_tracking_code(client, categories, meixian):
    response = client.post(reverse("hotline:submit"), {**FORM, "town": meixian.yingtou.pk})

    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?code={appeal.code}")
    assert appeal.channel == "portal" and appeal.town == meixian.yingtou
    page = client.get(response["Location"]).content.decode()
    assert appeal.code in page and "待派单" in page
    assert "张*" in page and "139****2345" in page
    assert "张建国" not in page and "13991712345" not in page


def test_it_creates_one_appeal_for_a_double_submit(client, categories):
    client.post(reverse("hotline:submit"), FORM)
    client.post(reverse("hotline:submit"), FORM)
    assert Appeal.objects.count() == 1


def test_it_shows_the_emergency_advice_and_keeps_the_form(client, categories):
    response = client.post(
        reverse("hotline:submit"), {**FORM, "content": "我家隔壁着火了，火势很大", "submission_key": "k2"}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "119" in page and "我确认这不是正在发生的紧急情况" in page
    assert Appeal.objects.count() == 0


def test_it_shows_a_specific_error_for_a_missing_phone(client, categories):
    response = client.post(reverse("hotline:submit"), {**FORM, "contact_phone": "", "submission_key": "k3"})
    assert response.status_code == 400
    assert "实名诉求请填写联系人和联系电话" in response.content.decode()


def test_it_says_when_a_code_is_unknown(client, db):
    response = client.get(reverse("hotline:track"), {"code": "YW000000AAAAA"})
    assert response.status_code == 404
    assert "未找到该受理编号" in response.content.decode()


def test_it_lists_public_replies_with_personal_data_masked(client, replied):
    page = client.get(reverse("hotline:public_list")).content.decode()

    assert replied.title in page
    assert "已安排施工队" in page
    assert "张*" in page and "张建国" not in page


def test_it_filters_the_public_list_with_htmx(client, replied, categories):
    response = client.get(reverse("hotline:public_list"), {"category": "food-safety"}, headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "<html" not in page and 'id="public-rows"' in page
    assert replied.title not in page


def test_it_masks_phone_numbers_inside_public_text(client, operator, dept_a, handler_a, categories):
    appeal = services.appeal_submit(
        channel="phone",
        kind="complaint",
        title="来电反映",
        content="请回电 13991712345，身份证 610326199001011234。",
        actor=operator,
        anonymous=True,
        public_consent=True,
    )
    services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=appeal, actor=handler_a)
    services.appeal_reply(appeal=appeal, content="已回电 13991712345 说明情况并处理完毕。", actor=handler_a)

    page = client.get(reverse("hotline:public_list")).content.decode()
    assert "13991712345" not in page and "139****2345" in page
    assert "610326199001011234" not in page


def test_it_publishes_the_unresolved_summary(client, clerk, meixian):
    services.unresolved_register(
        channel="window",
        summary="社保卡激活失败",
        description="老人社保卡激活反复失败。",
        tier="general",
        department=DepartmentFactory(code="human-resources-social-security", name="眉县人力资源和社会保障局"),
        actor=clerk,
        reporter_name="王秀兰",
        reporter_phone="13891760231",
    )
    page = client.get(reverse("hotline:unresolved_summary")).content.decode()
    assert "月度汇总" in page and "王秀兰" not in page and "13891760231" not in page


@pytest.mark.parametrize("town_param", ["", "abc"])
def test_it_answers_village_options_for_any_input(client, meixian, town_param):
    assert client.get(reverse("hotline:villages"), {"town": town_param}).status_code == 200


def test_it_does_not_find_a_published_appeal_by_a_phone_number_in_its_text(
    client, operator, dept_a, handler_a, categories
):
    appeal = services.appeal_submit(
        channel="phone",
        kind="complaint",
        title="村道路灯不亮",
        content="联系人电话 13991712345，身份证 610326199001011234，村口路灯坏了一个月。",
        actor=operator,
        anonymous=True,
        public_consent=True,
        category=categories["roads"],
    )
    services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator)
    services.appeal_sign_off(appeal=appeal, actor=handler_a)
    services.appeal_reply(appeal=appeal, content="已安排电工更换村口路灯，现已恢复照明。", actor=handler_a)
    url = reverse("hotline:public_list")

    for secret in ("13991712345", "9917", "610326199001011234", "19900101"):
        assert "路灯不亮" not in client.get(url, {"q": secret}).content.decode(), secret
        assert selectors.public_appeal_list(q=secret).count() == 0, secret

    # Title, category and the masked text still find it.
    assert "路灯不亮" in client.get(url, {"q": "路灯"}).content.decode()
    for term in ("路灯不亮", "农村道路", "村口路灯"):
        assert list(selectors.public_appeal_list(q=term)) == [appeal], term


def _answered(make_appeal, operator, categories, n: int, *, category="roads", title="村口路灯咨询") -> Appeal:
    """A consultation answered on the spot and published, replied ``n`` hours ago."""
    appeal = make_appeal(
        kind="consultation",
        title=f"{title}{n}",
        content=f"第{n}组村口路灯什么时候能修好？",
        public_consent=True,
        category=categories[category],
    )
    services.appeal_answer(appeal=appeal, content="已转告镇上电工，本周内修好。", actor=operator)
    Appeal.objects.filter(pk=appeal.pk).update(replied_at=timezone.now() - dt.timedelta(hours=n))
    return appeal


def test_the_column_reads_the_window_of_the_latest_replies(client, make_appeal, operator, categories, settings):
    settings.HOTLINE = {"PUBLIC_REPLIES_WINDOW": 3}
    appeals = [_answered(make_appeal, operator, categories, n) for n in range(1, 6)]  # the 1st is the latest
    food = _answered(make_appeal, operator, categories, 6, category="food", title="餐馆卫生咨询")
    url = reverse("hotline:public_list")

    page = client.get(url).content.decode()

    assert [a.code in page for a in appeals] == [True, True, True, False, False]
    assert "共 3 条公开答复" in page
    since = Appeal.objects.get(pk=appeals[2].pk).replied_at
    assert f"在最近 3 条公开答复中，即 {timezone.localtime(since):%Y-%m-%d} 以来" in page
    assert selectors.public_replies_since() == since
    # a search and a filter look inside the window only: the oldest replies are out of it
    assert "共 0 条" in client.get(url, {"q": "村口路灯咨询5"}).content.decode()
    assert "共 0 条" in client.get(url, {"category": "food-safety"}).content.decode()
    assert food.code not in page


def test_a_column_under_its_window_says_nothing_of_it(client, make_appeal, operator, categories):
    appeal = _answered(make_appeal, operator, categories, 1)
    page = client.get(reverse("hotline:public_list")).content.decode()
    assert appeal.code in page and "共 1 条公开答复" in page and "在最近" not in page
    assert selectors.public_replies_since() is None


def test_the_column_pages_keep_the_filters(client, make_appeal, operator, categories):
    for n in range(1, 32):
        _answered(make_appeal, operator, categories, n)
    url = reverse("hotline:public_list")

    page = client.get(url, {"category": "rural-roads", "q": "路灯", "page": 2}).content.decode()

    assert "共 31 条公开答复" in page and "第 2 / 4 页" in page
    keep = "?category=rural-roads&amp;q=%E8%B7%AF%E7%81%AF&page="
    assert f'{keep}1"' in page and f'{keep}3"' in page and f'{keep}4">末页' in page


def test_the_search_ignores_the_case_of_letters_and_matches_chinese_as_written(
    client, make_appeal, operator, categories
):
    etc = _answered(make_appeal, operator, categories, 1, title="高速ETC通行费咨询")
    lamp = _answered(make_appeal, operator, categories, 2)
    url = reverse("hotline:public_list")

    for term, found, missing in (("etc", etc, lamp), ("Etc通行", etc, lamp), ("路灯咨询", lamp, etc)):
        page = client.get(url, {"q": term}).content.decode()
        assert found.code in page and missing.code not in page, term
        assert list(selectors.public_appeal_list(q=term)) == [found], term
    assert list(selectors.public_appeal_list(q="农村道路")) == [etc, lamp]  # the category's name, newest first
