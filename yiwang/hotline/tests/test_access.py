"""Who may use the hotline URLs with an object identifier added after the access matrix was
written; each is driven for several roles below."""

import pytest

from yiwang.hotline import services
from yiwang.hotline.models import ExtensionRequest

pytestmark = pytest.mark.django_db

ACCESS_ROUTES = {
    "api/hotline/extensions/<extension_id>/withdrawal": "the appeal's lead department (appeal.request_extension); "
    "other departments 403/404, citizens 403, anonymous 401/403",
}

REASON = "需协调施工队和沥青材料，雨季施工受限"


def _post(client, user, url, data):
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.post(url, data, content_type="application/json").status_code


def test_only_the_lead_department_withdraws_an_extension(client, signed_off, handler_a, handler_b, citizen):
    request = services.appeal_extension_request(appeal=signed_off, days=3, reason=REASON, actor=handler_a)
    url = f"/api/hotline/extensions/{request.pk}/withdrawal"
    body = {"reason": "施工队已提前到位，按期完成"}

    for user in (None, citizen, handler_b):
        assert _post(client, user, url, body) in {401, 403, 404}
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.PENDING

    assert _post(client, handler_a, url, body) == 200
    request.refresh_from_db()
    assert request.state == ExtensionRequest.State.WITHDRAWN
