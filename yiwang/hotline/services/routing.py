"""The routing model: training on the platform's own replied appeals."""

from __future__ import annotations

from django.db import transaction

from yiwang.core.audit import audit_record
from yiwang.hotline.models import (
    Appeal,
    Reply,
    RoutingModel,
)
from yiwang.hotline.services._common import _county


def routing_history() -> dict[str, tuple[list[str], list[str]]]:
    """Training data from the platform's own history: for every replied appeal, its text with the
    department that finally handled it (the last reply) and its category."""
    from yiwang.hotline.routing import appeal_document

    latest: dict[int, str] = {}
    for appeal_id, code in (
        Reply.objects.filter(department__isnull=False)
        .order_by("appeal_id", "replied_at", "id")
        .values_list("appeal_id", "department__code")
    ):
        latest[appeal_id] = code
    texts_d, labels_d, texts_c, labels_c = [], [], [], []
    rows = Appeal.objects.filter(pk__in=list(latest)).values_list("pk", "title", "content", "category__code")
    for pk, title, content, category in rows.iterator(chunk_size=2000):
        document = appeal_document(title, content)
        texts_d.append(document)
        labels_d.append(latest[pk])
        if category:
            texts_c.append(document)
            labels_c.append(category)
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
