"""Meixian demo for ``supervision``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
