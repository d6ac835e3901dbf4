"""``/api/credit/``."""

from ninja import Router

router = Router(tags=["信用"])
