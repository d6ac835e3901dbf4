"""Meixian demo for ``credit``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
