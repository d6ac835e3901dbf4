"""The routers are loaded when a worker process starts (Celery worker_process_init, gunicorn post_fork)."""

from celery.signals import worker_process_init

from yiwang.hotline import selectors, services
from yiwang.hotline.warm import on_worker_process_init, routing_warm

ROAD = ("村道坑洼", "{town}{n}组的村道坑洼不平，下雨积水，车辆无法通行，请尽快修补路面。")
FOOD = ("餐馆卫生", "{town}街上第{n}家餐馆后厨卫生很差，食品过期变质，吃了肚子疼，请检查处理。")


def test_a_celery_worker_process_warms_the_routers_when_it_starts():
    receivers = [r() for _, r in worker_process_init.receivers]
    assert on_worker_process_init in receivers


def test_it_loads_the_active_routers_before_the_first_appeal(
    make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories
):
    for n in range(6):
        for (title, body), department, handler, category in (
            (ROAD, dept_a, handler_a, categories["roads"]),
            (FOOD, dept_b, handler_b, categories["food"]),
        ):
            appeal = make_appeal(title=title, content=body.format(town="营头镇", n=n + 1), category=category)
            services.appeal_dispatch(appeal=appeal, department=department, actor=operator)
            services.appeal_sign_off(appeal=appeal, actor=handler)
            services.appeal_reply(appeal=appeal, content="已现场处理完毕，感谢反映。", actor=handler)
    models = services.routing_model_train(actor=None, folds=None)
    selectors._routers.clear()  # a fresh process

    warmed = routing_warm()

    assert sorted(warmed["targets"]) == ["category", "department"]
    assert {target: pk for target, (pk, _) in selectors._routers.items()} == {m.target: m.pk for m in models}


def test_a_process_with_no_trained_router_starts_cold_without_error(categories):
    selectors._routers.clear()
    assert routing_warm()["targets"] == []
    on_worker_process_init()  # the signal handler never raises
    assert selectors._routers == {}
