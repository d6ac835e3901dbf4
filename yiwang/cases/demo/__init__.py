"""Meixian demo for ``cases``: ``seed`` bulk-loads six months of applications (see :mod:`.bulk`)."""

from .bulk import seed

__all__ = ["seed"]
