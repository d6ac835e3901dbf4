"""Reads for the public pages. Nothing here returns personal data."""

from django.db.models import Count, Q

from yiwang.org.models import Department, Region, ServiceHall, Window


def portal_overview() -> dict:
    """Counts a visitor sees on the home page: where they can go and how many windows serve them."""
    return {
        "halls": ServiceHall.objects.count(),
        "windows": Window.objects.filter(is_active=True).count(),
        "departments": Department.objects.filter(is_active=True).count(),
        "towns": Region.objects.filter(level=Region.Level.TOWN).count(),
    }


def hall_list(*, kind: str | None = None, town_code: str | None = None):
    """Service halls with their active window counts, county hall first, then by region code."""
    halls = ServiceHall.objects.select_related("region").annotate(
        window_count=Count("windows", filter=Q(windows__is_active=True))
    )
    if kind:
        halls = halls.filter(kind=kind)
    if town_code:
        halls = halls.filter(region__path__contains=f"{town_code}/")
    return halls.order_by("kind", "region__code", "name")
