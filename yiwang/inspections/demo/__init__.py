"""Meixian demo for ``inspections``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
