"""Meixian demo for ``catalog``: ``seed`` publishes the list, its bundles and months of adjustments.

The data lives in ``data/*.json`` (read by :mod:`.dataset`); :mod:`.items` builds item elements from
it and :mod:`.generate` writes them through the catalog services.
"""

from .generate import seed
from .items import all_items, county_items, town_items, village_items

__all__ = ["all_items", "county_items", "seed", "town_items", "village_items"]
