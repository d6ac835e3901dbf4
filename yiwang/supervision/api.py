"""``/api/supervision/``."""

from ninja import Router

router = Router(tags=["督查督办与营商环境监测"])
