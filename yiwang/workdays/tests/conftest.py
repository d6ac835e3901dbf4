import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user(
        username="calendar-admin", password="Calendar-admin-2026!", is_staff=True
    )


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user(username="window-clerk", password="Window-clerk-2026!")
