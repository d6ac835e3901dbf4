import pytest

from yiwang.core.sms import LocmemSmsBackend


class StandInUser:
    """Just what the safety rails read from a user: a primary key, a label, authentication."""

    is_authenticated = True

    def __init__(self, pk: int, label: str):
        self.pk = pk
        self.label = label

    def __str__(self) -> str:
        return self.label


@pytest.fixture
def clerk() -> StandInUser:
    return StandInUser(101, "王窗口")


@pytest.fixture
def handler() -> StandInUser:
    return StandInUser(202, "李办理")


@pytest.fixture
def sms_outbox(settings) -> list:
    settings.SMS_BACKEND = "locmem"
    LocmemSmsBackend.outbox.clear()
    yield LocmemSmsBackend.outbox
    LocmemSmsBackend.outbox.clear()
