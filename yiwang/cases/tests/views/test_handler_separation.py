"""The handler's page says before anyone types an opinion that the next step is for a colleague."""

import pytest

from yiwang.cases import services

from ..conftest import colleague

pytestmark = pytest.mark.django_db


def test_the_handler_who_did_the_review_is_told_the_next_step_is_a_colleague_s(client, handler_a, review_case):
    other = colleague(review_case.department, 9)
    url = f"/cases/handling/case/{review_case.number}/"
    client.force_login(handler_a)
    assert 'data-testid="separation-note"' not in client.get(url).content.decode()
    services.review_step_complete(case=review_case, actor=handler_a, opinion="审查：同意")
    page = client.get(url).content.decode()
    assert "您已办理本件的“审查”环节，“审核”须由本部门其他人员办理" in page
    client.force_login(other)
    assert 'data-testid="separation-note"' not in client.get(url).content.decode()
