"""The routing model: training on the platform's own replied appeals."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.hotline.models import (
    Appeal,
    Reply,
    RoutingModel,
)
from yiwang.hotline.services._common import _county


def routing_history(*, now=None) -> dict[str, tuple[list[str], list[str]]]:
    """Training data from the platform's own history: replied appeals' texts with the department
    that finally handled them (the last reply) and their category.

    A bounded, stratified sample of recent history (县级默认值 ``ROUTING_HISTORY_MONTHS`` = 24 months,
    at most ``ROUTING_SAMPLE_PER_CLASS`` = 2000 latest appeals per department): two window functions
    in one query pick each appeal's last reply in the period and rank them within their department,
    so the database hands over at most classes × cap rows whatever the history's size. The same text
    with the same department and category is kept once.
    """
    from yiwang.hotline.conf import conf
    from yiwang.hotline.models import Category
    from yiwang.hotline.routing import appeal_document
    from yiwang.org.models import Department

    now = now or timezone.now()
    since = now - dt.timedelta(days=round(conf("ROUTING_HISTORY_MONTHS") * 365.25 / 12))
    cap = int(conf("ROUTING_SAMPLE_PER_CLASS"))
    reply, appeal = Reply._meta.db_table, Appeal._meta.db_table
    department, category = Department._meta.db_table, Category._meta.db_table
    sql = f"""
        WITH last AS (
            SELECT appeal_id, department_id, replied_at,
                   ROW_NUMBER() OVER (PARTITION BY appeal_id ORDER BY replied_at DESC, id DESC) AS k
            FROM {reply} WHERE department_id IS NOT NULL AND replied_at >= %s
        ), ranked AS (
            SELECT appeal_id, department_id,
                   ROW_NUMBER() OVER (PARTITION BY department_id ORDER BY replied_at DESC, appeal_id DESC) AS n
            FROM last WHERE k = 1
        )
        SELECT a.title, a.content, d.code, c.code
        FROM ranked
        JOIN {appeal} a ON a.id = ranked.appeal_id
        JOIN {department} d ON d.id = ranked.department_id
        LEFT JOIN {category} c ON c.id = a.category_id
        WHERE ranked.n <= %s
        ORDER BY ranked.appeal_id
    """  # noqa: S608 (table names from the models)
    texts_d, labels_d, texts_c, labels_c = [], [], [], []
    seen: set[tuple[str, str, str | None]] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(since), cap])
        for title, content, department_code, category_code in cursor.fetchall():
            document = appeal_document(title, content)
            if (document, department_code, category_code) in seen:
                continue  # the same text with the same answer teaches nothing twice (repeat callers)
            seen.add((document, department_code, category_code))
            texts_d.append(document)
            labels_d.append(department_code)
            if category_code:
                texts_c.append(document)
                labels_c.append(category_code)
    return {RoutingModel.Target.DEPARTMENT: (texts_d, labels_d), RoutingModel.Target.CATEGORY: (texts_c, labels_c)}


def routing_model_train(*, actor=None, folds: int | None = 5, stdout=None) -> list[RoutingModel]:
    """Train the department and category routers on the history and make them the active ones.

    Fitting (seconds of CPU) runs outside any transaction; only storing the models and switching
    the active flag is atomic. With ``folds`` the stored metrics carry a cross-validated accuracy.
    """
    from yiwang.hotline import routing

    county = _county()
    trained = []
    for target, (texts, labels) in routing_history().items():
        kept_texts, kept_labels, dropped = routing.learnable(texts, labels)
        if len(set(kept_labels)) < 2:
            if stdout:
                stdout.write(f"{RoutingModel.Target(target).label}：历史数据不足（{len(texts)} 条），跳过\n")
            continue
        router = routing.TextRouter.fit(kept_texts, kept_labels)
        metrics = {"dropped": dropped, "n_classes": len(router.labels)}
        if folds:
            evaluation = routing.cross_validate(kept_texts, kept_labels, folds=folds)
            metrics.update(evaluation.as_dict())
        blob = router.dumps()
        with transaction.atomic():
            RoutingModel.objects.select_for_update().filter(region=county, target=target, is_active=True).update(
                is_active=False
            )
            model = RoutingModel.objects.create(
                target=target,
                region=county,
                blob=blob,
                labels=router.labels,
                metrics=metrics,
                n_samples=len(kept_texts),
                is_active=True,
                trained_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_record(
                actor=actor if getattr(actor, "pk", None) else None,
                action="hotline.routing_model_trained",
                obj=model,
                after={"target": target, "n_samples": model.n_samples, "accuracy": metrics.get("accuracy")},
                region_code=county.code,
            )
        trained.append(model)
        if stdout:
            accuracy = metrics.get("accuracy")
            stdout.write(
                f"{model.get_target_display()}模型 #{model.pk}：{model.n_samples} 条，{len(router.labels)} 类"
                + (f"，交叉验证准确率 {accuracy:.4f}" if accuracy is not None else "")
                + "\n"
            )
    return trained
