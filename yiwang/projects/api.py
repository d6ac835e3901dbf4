"""``/api/projects/``."""

from ninja import Router

router = Router(tags=["工程建设项目与公用报装"])
