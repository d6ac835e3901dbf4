"""Allowed transitions of items, changes and bundles, as data (STYLE: state → allowed next states)."""

from yiwang.core.workflow import transition_check

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
    transition_check(
        ITEM_TRANSITIONS,
        entity="item",
        state=item.status,
        target=target,
        message=f"事项当前为“{item.get_status_display()}”，不能变为“{ItemStatus(target).label}”",
        item=item.code,
    )


def check_change_transition(change, target: str) -> None:
    transition_check(
        CHANGE_TRANSITIONS,
        entity="change",
        state=change.status,
        target=target,
        message=f"该调整申请已{change.get_status_display()}，不能再处理",
        change=change.pk,
    )


def check_bundle_transition(bundle, target: str) -> None:
    transition_check(
        BUNDLE_TRANSITIONS,
        entity="bundle",
        state=bundle.status,
        target=target,
        message=f"一件事当前为“{bundle.get_status_display()}”，不能变为“{BundleStatus(target).label}”",
        bundle=bundle.code,
    )
