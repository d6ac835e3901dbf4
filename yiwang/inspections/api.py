"""``/api/inspections/``."""

from ninja import Router

router = Router(tags=["双随机、一公开"])
