import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.hotline import services


def _requests(*, make_appeal, operator, dept_a, handler_a, n: int) -> tuple[list[str], list[str]]:
    """``n`` pending returns and ``n`` pending extensions, each on its own appeal: their codes."""
    returned, extended = [], []
    for _ in range(n):
        appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator)
        returned.append(
            services.appeal_return(appeal=appeal, reason="不属于本部门职责范围", actor=handler_a).appeal.code
        )
        appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator)
        appeal = services.appeal_sign_off(appeal=appeal, actor=handler_a)
        extension = services.appeal_extension_request(appeal=appeal, days=3, reason="需要现场勘查协调", actor=handler_a)
        extended.append(extension.appeal.code)
    return returned, extended


def test_it_lists_every_pending_return_and_extension_in_the_same_statements_for_1_or_4(
    client, make_appeal, operator, dept_a, handler_a
):
    client.force_login(operator)
    url = reverse("hotline:dispatch_queue")

    def page() -> tuple[int, str]:
        client.get(url)  # sessions, caches and the router warmed
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    made = dict(make_appeal=make_appeal, operator=operator, dept_a=dept_a, handler_a=handler_a)
    returned, extended = _requests(**made, n=1)
    few, _ = page()
    more_returned, more_extended = _requests(**made, n=3)
    many, html = page()

    assert many == few
    for code in returned + more_returned + extended + more_extended:
        assert f'class="font-monospace">{code}</a>' in html


def test_it_counts_every_waiting_appeal_and_reads_only_the_page(client, make_appeal, operator):
    """More appeals wait than a page shows (and than the 200 the queue once read): the counts are of
    all of them, each page lists its 30 oldest-first, and the page costs the same statements."""
    from yiwang.hotline.models import Appeal

    client.force_login(operator)
    url = reverse("hotline:dispatch_queue")
    template = make_appeal(title="夜间施工噪音扰民")
    base = template.received_at

    def copies(start: int, n: int) -> list:
        rows = []
        for i in range(start, start + n):
            row = Appeal.objects.get(pk=template.pk)
            row.pk, row.code, row.submission_key = None, f"DQ{i:04d}", None
            row.received_at = base + dt.timedelta(minutes=i + 1)
            row.suggestion_low_confidence = i % 7 == 0
            rows.append(row)
        return Appeal.objects.bulk_create(rows)

    copies(0, 20)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    few = len(captured)
    copies(20, 230)
    client.get(url)  # the statements log restarts with each request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response
    many = len(captured)  # read now: the log restarts with the next request
    first = response.content.decode()
    last = client.get(url, {"page": 9}).content.decode()

    waiting = Appeal.objects.filter(state=Appeal.State.RECEIVED)
    flagged = waiting.filter(suggestion_low_confidence=True).count()
    assert waiting.count() == 251 and flagged == len(range(0, 250, 7)) + template.suggestion_low_confidence
    assert many == few
    assert '<span class="value">251</span>待派单' in first
    assert f'<span class="value">{flagged}</span>低置信度需判断' in first
    assert "1 / 9" in first
    assert template.code + "</a>" in first and "DQ0028</a>" in first
    assert "DQ0029</a>" not in first  # the 31st oldest is on page 2
    assert "DQ0249</a>" in last and template.code + "</a>" not in last


def test_it_counts_every_appeal_awaiting_a_revisit_and_pages_them(client, replied, operator):
    """The 待回访 list once showed the oldest 30 replied appeals as the whole list: it now counts every one
    of them, pages them oldest reply first, and its links keep the waiting list's page."""
    from yiwang.hotline.models import Appeal

    client.force_login(operator)
    url = reverse("hotline:dispatch_queue")
    base = replied.replied_at

    def copies(start: int, n: int) -> None:
        rows = []
        for i in range(start, start + n):
            row = Appeal.objects.get(pk=replied.pk)
            row.pk, row.code, row.submission_key, row.handling_clock_id = None, f"RV{i:04d}", None, None
            row.replied_at = base + dt.timedelta(minutes=i + 1)
            rows.append(row)
        Appeal.objects.bulk_create(rows)

    def revisits(html: str) -> list[str]:
        section = html[html.index('id="revisit-heading"') :]
        return re.findall(r'class="font-monospace">(RV\d{4}|' + replied.code + r")</a>", section)

    copies(0, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    few = len(captured)
    copies(2, 33)  # 36 in all: more than the 30 the list once showed
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url, {"page": "1"}).content.decode()
    many = len(captured)
    second = client.get(url, {"page": "1", "revisits_page": "2"}).content.decode()

    assert many == few
    assert 'data-testid="revisits-total">共 36 件' in first
    assert revisits(first) == [replied.code] + [f"RV{i:04d}" for i in range(29)]
    assert revisits(second) == [f"RV{i:04d}" for i in range(29, 35)]
    assert "?page=1&revisits_page=2" in first and "待回访 第 2 / 2 页" in second


def test_its_links_are_the_urls_reverse_gives_under_any_script_prefix(client, make_appeal, operator):
    """The queue fills in the appeal pattern reversed once (``staff_appeal_url``): every link and
    form action on the page is the URL ``reverse`` gives, also when the platform is served under a
    prefix, and a code ``reverse`` would quote is quoted alike."""
    from django.urls import get_script_prefix, set_script_prefix

    from yiwang.hotline.templatetags.hotline_tags import staff_appeal_url

    appeal = make_appeal(title="小区门口积水")
    client.force_login(operator)
    html = client.get(reverse("hotline:dispatch_queue")).content.decode()
    assert f'href="{reverse("hotline:appeal", args=[appeal.code])}"' in html
    assert f'action="{reverse("hotline:appeal_action", args=[appeal.code, "dispatch"])}"' in html

    before = get_script_prefix()
    try:
        for prefix in ("/", "/yiwang/"):
            set_script_prefix(prefix)
            for code in (appeal.code, "YW26 中", "a%b&c"):
                assert staff_appeal_url(code) == reverse("hotline:appeal", args=[code])
                assert staff_appeal_url(code, "dispatch") == reverse("hotline:appeal_action", args=[code, "dispatch"])
            assert staff_appeal_url(appeal.code).startswith(prefix)
    finally:
        set_script_prefix(before)
