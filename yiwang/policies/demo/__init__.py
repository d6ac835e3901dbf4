"""Meixian demo for ``policies``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
