"""Shared helpers of the ratings services."""

from __future__ import annotations

from django.utils import timezone

from yiwang.measures.services import region_codes
from yiwang.org.models import Region


def county_code(region: Region) -> str:
    """The county above (or at) ``region`` — the supervisors' queue is the county's."""
    code, county, _town = region_codes(region)
    return county or code


def now():
    return timezone.now()
