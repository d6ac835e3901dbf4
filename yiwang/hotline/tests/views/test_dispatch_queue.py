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
