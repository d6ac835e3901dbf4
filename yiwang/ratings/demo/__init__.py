"""Meixian demo for ``ratings``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
