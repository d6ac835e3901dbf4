"""The API keeps its published contract: schemathesis generates requests from ``/api/openapi.json``
for every operation, anonymously and with a staff session, and every answer must be a declared status
with a body matching its schema — never a 5xx.

Bounded and repeatable: ``MAX_EXAMPLES`` examples per operation, derandomised (the same requests on
every run). Set ``SCHEMATHESIS_MAX_EXAMPLES`` to look harder locally.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.api_contract]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CSRF = "schemathesiscsrftoken0123456789a"  # 32 characters: the cookie and the header agree

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests go through the real WSGI handler, whose request signals close the database connection
    after each request — which would end the test's transaction on PostgreSQL. Django's own test client
    detaches the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_cookies(admin_user, meixian) -> dict:
    client = Client()
    client.force_login(admin_user)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


@schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_its_contract_anonymously(case):
    response = case.call()
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@HYPOTHESIS
def test_the_api_keeps_its_contract_for_staff(case, staff_cookies):
    response = case.call(cookies=staff_cookies, headers={"X-CSRFToken": CSRF})
    case.validate_response(response, checks=CHECKS)
