"""Helpers for the applicant account tests: the code as the SMS in the outbox carries it."""

import re

import pytest

from yiwang.core.models import OutboxMessage
from yiwang.core.pii import pii_lookup


def code_from_outbox(phone: str) -> str:
    """The code of the newest SMS to ``phone`` (read from the outbox, as a phone would receive it)."""
    message = OutboxMessage.objects.filter(**pii_lookup("recipient", phone)).order_by("-id").first()
    assert message is not None, "no SMS in the outbox for this number"
    return re.search(r"验证码为(\d{6})", message.body).group(1)


def sign_up(client, phone: str) -> None:
    """Sign up (or in) through the two pages, with the code from the outbox."""
    client.post("/account/sign-in/", {"phone": phone})
    response = client.post("/account/sign-in/code/", {"phone": phone, "code": code_from_outbox(phone)})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.get(response.url)  # the next page shows (and so consumes) the welcome message


@pytest.fixture
def signed_up(client, meixian):
    def make(phone="13991712001"):
        sign_up(client, phone)
        return client

    return make
