"""Allowed transitions of items, changes and bundles, as data (STYLE: state → allowed next states)."""

from yiwang.core.errors import ApplicationError

from .models import BundleStatus, ChangeStatus, ItemStatus

# A published item may be published again: that is a new version (动态调整).
ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.DRAFT: frozenset({ItemStatus.PUBLISHED}),
    ItemStatus.PUBLISHED: frozenset({ItemStatus.PUBLISHED, ItemStatus.WITHDRAWN}),
    ItemStatus.WITHDRAWN: frozenset({ItemStatus.PUBLISHED}),
}

CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeStatus.PENDING: frozenset({ChangeStatus.APPROVED, ChangeStatus.REJECTED, ChangeStatus.CANCELLED}),
    ChangeStatus.APPROVED: frozenset(),
    ChangeStatus.REJECTED: frozenset(),
    ChangeStatus.CANCELLED: frozenset(),
}

BUNDLE_TRANSITIONS: dict[str, frozenset[str]] = {
    BundleStatus.DRAFT: frozenset({BundleStatus.PUBLISHED}),
    BundleStatus.PUBLISHED: frozenset({BundleStatus.WITHDRAWN}),
    BundleStatus.WITHDRAWN: frozenset({BundleStatus.PUBLISHED}),
}


def check_item_transition(item, target: str) -> None:
    if target not in ITEM_TRANSITIONS[item.status]:
        raise ApplicationError(
            "catalog.item_transition_invalid",
            f"事项当前为“{item.get_status_display()}”，不能变为“{ItemStatus(target).label}”",
            details={"item": item.code, "status": item.status, "target": str(target)},
            status=409,
        )


def check_change_transition(change, target: str) -> None:
    if target not in CHANGE_TRANSITIONS[change.status]:
        raise ApplicationError(
            "catalog.change_closed",
            f"该调整申请已{change.get_status_display()}，不能再处理",
            details={"change": change.pk, "status": change.status, "target": str(target)},
            status=409,
        )


def check_bundle_transition(bundle, target: str) -> None:
    if target not in BUNDLE_TRANSITIONS[bundle.status]:
        raise ApplicationError(
            "catalog.bundle_transition_invalid",
            f"一件事当前为“{bundle.get_status_display()}”，不能变为“{BundleStatus(target).label}”",
            details={"bundle": bundle.code, "status": bundle.status, "target": str(target)},
            status=409,
        )
