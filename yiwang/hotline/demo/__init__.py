"""Meixian demo for ``hotline``: ``seed`` loads reference data, six months of appeals and today's calls.

:mod:`.reference` (categories, mappings, knowledge), :mod:`.bulk` (the history, bypassing the
services), :mod:`.generate` (the steps through the services); the data lives in ``data/*.json``.
"""

from .generate import seed
from .reference import ensure_reference

__all__ = ["ensure_reference", "seed"]
