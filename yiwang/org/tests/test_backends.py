import pytest
from django.contrib.auth import authenticate

from yiwang.core.models import AuditEvent
from yiwang.org.models import LoginThrottle
from yiwang.org.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("lockout_backend")


@pytest.fixture
def lockout_backend(settings):
    settings.AUTHENTICATION_BACKENDS = ["yiwang.org.backends.LockoutModelBackend"]


def test_it_authenticates_through_the_lockout_service(clerk, rf):
    request = rf.post("/", REMOTE_ADDR="192.0.2.9")
    assert authenticate(request, username="clerk", password=TEST_PASSWORD) == clerk
    assert AuditEvent.objects.get(action="auth.login_succeeded").details["ip"] == "192.0.2.9"


def test_it_refuses_a_locked_account_even_with_the_right_password(clerk):
    for _ in range(5):
        assert authenticate(None, username="clerk", password="Wrong#pass1") is None
    assert authenticate(None, username="clerk", password=TEST_PASSWORD) is None
    assert LoginThrottle.objects.get(username="clerk", ip="").locked_until is not None


def test_it_signs_in_through_the_login_page_with_this_backend(client, clerk):
    response = client.post("/login/", {"username": "clerk", "password": TEST_PASSWORD})
    assert response["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200
