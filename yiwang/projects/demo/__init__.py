"""Meixian demo for ``projects``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
