"""The routing model: training on the platform's own replied appeals."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.hotline.models import (
    Reply,
    RoutingModel,
)
from yiwang.hotline.services._common import _county


def routing_sample_window(*, now=None) -> tuple[dt.datetime, int]:
    """The start of the history routing learns from and the cap per department (县级默认值:
    ``ROUTING_HISTORY_MONTHS`` = 24 months, ``ROUTING_SAMPLE_PER_CLASS`` = 2000)."""
    from yiwang.hotline.conf import conf

    now = now or timezone.now()
    since = now - dt.timedelta(days=round(conf("ROUTING_HISTORY_MONTHS") * 365.25 / 12))
    return since, int(conf("ROUTING_SAMPLE_PER_CLASS"))


def routing_sample_query(department_id: int, since: dt.datetime, cap: int):
    """One department's part of the sample: its latest replies since ``since`` that are their
    appeal's last reply, newest first, at most ``cap``. Rows: title, content, department code,
    category code.

    It walks the (department, replied_at) index backwards and stops at the cap (LIMIT), so it reads
    about cap rows whatever the size of the history, not every reply of the window. A later reply to
    the same appeal (by anyone; looked up by the appeal's index) moves the appeal to the department
    that finally handled it.
    """
    later = Reply.objects.filter(appeal_id=OuterRef("appeal_id")).filter(
        Q(replied_at__gt=OuterRef("replied_at")) | Q(replied_at=OuterRef("replied_at"), pk__gt=OuterRef("pk"))
    )
    return (
        Reply.objects.filter(department_id=department_id, replied_at__gte=since)
        .exclude(Exists(later))
        .order_by("-replied_at", "-pk")
        .values_list("appeal__title", "appeal__content", "department__code", "appeal__category__code")[:cap]
    )


def routing_sample_queries(*, now=None) -> list:
    """The sample's queries, one per department (``routing_sample_query``)."""
    from yiwang.org.models import Department

    since, cap = routing_sample_window(now=now)
    departments = Department.objects.order_by("pk").values_list("pk", flat=True)
    return [routing_sample_query(pk, since, cap) for pk in departments]


def routing_history(*, now=None) -> dict[str, tuple[list[str], list[str]]]:
    """Training data from the platform's own history: replied appeals' texts with the department
    that finally handled them (the last reply) and their category.

    A bounded, stratified sample of recent history (县级默认值 ``ROUTING_HISTORY_MONTHS`` = 24 months,
    at most ``ROUTING_SAMPLE_PER_CLASS`` = 2000 latest appeals per department): one query per
    department (``routing_sample_queries``), each bounded by the cap, so the database reads and hands
    over at most departments × cap rows whatever the history's size (bench/routing.py shows the plan
    at a million appeals). The same text with the same department and category is kept once.
    """
    from yiwang.hotline.routing import appeal_document

    texts_d, labels_d, texts_c, labels_c = [], [], [], []
    seen: set[tuple[str, str, str | None]] = set()
    for query in routing_sample_queries(now=now):
        for title, content, department_code, category_code in query:
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

    Fitting (minutes of CPU at a county's scale) runs outside any transaction; only storing the
    models and switching the active flag is atomic. Both routers read the same sampled documents,
    vectorised once (jieba and the n-grams are most of the cost). With ``folds`` the stored metrics
    carry a cross-validated accuracy estimated in bounded time (``routing.quick_cross_validate``).
    """
    from yiwang.hotline import routing

    county = _county()
    trained = []
    history = routing_history()
    documents = list(dict.fromkeys(text for texts, _ in history.values() for text in texts))
    features = matrix = None
    for target, (texts, labels) in history.items():
        kept_texts, kept_labels, dropped = routing.learnable(texts, labels)
        if len(set(kept_labels)) < 2:
            if stdout:
                stdout.write(f"{RoutingModel.Target(target).label}：历史数据不足（{len(texts)} 条），跳过\n")
            continue
        if features is None:
            features = routing.build_features()
            matrix = features.fit_transform(documents)
            row = {text: i for i, text in enumerate(documents)}
        rows = matrix[[row[text] for text in kept_texts]]
        router = routing.TextRouter.fit_on_features(features, rows, kept_labels)
        metrics = {"dropped": dropped, "n_classes": len(router.labels)}
        if folds:
            evaluation = routing.quick_cross_validate(rows, kept_labels, folds=folds)
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
