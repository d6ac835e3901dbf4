"""Meixian demo for ``licences``."""


def seed(*, stdout=None) -> None:
    """Nothing yet."""
