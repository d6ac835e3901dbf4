import pytest
from django.contrib.auth import get_user_model

from yiwang.org.models import Membership, Role


@pytest.fixture
def staff_user(db):
    """The calendar's administrator: an administrator membership (``calendar.manage``)."""
    user = get_user_model().objects.create_user(
        username="calendar-admin", password="Calendar-admin-2026!", is_staff=True
    )
    Membership.objects.create(user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def django_staff(db):
    """A Django-admin staff account without the administrator role: not a calendar administrator."""
    return get_user_model().objects.create_user(username="site-staff", password="Site-staff-2026!", is_staff=True)


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user(username="window-clerk", password="Window-clerk-2026!")
