"""Every read of the catalog: the public search and guides, bundles, the staff view, the review queue
and the plan's catalog targets.

Public reads return published items only. Staff reads are scoped with ``yiwang.org.scoping``: a
handler sees the items of their own department (as competent or implementing department);
administrators, leaders and supervisors see their region. The targets read the roll-up
(``catalog.items`` facts, ``yiwang.catalog.measures``), never the items themselves.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from yiwang.measures.selectors import fact_total, facts
from yiwang.org.models import Department, Region
from yiwang.org.scoping import scope_for
from yiwang.org.selectors import user_departments

from .conf import TARGET_DEFAULTS, catalog_targets_config
from .elements import ITEM_FIELD_BY_KEY, Problem, elements_diff, item_elements
from .measures import ITEMS
from .models import (
    Bundle,
    BundleItem,
    BundleStatus,
    ChangeStatus,
    HandlingType,
    ItemChange,
    ItemMaterial,
    ItemStatus,
    LimitUnit,
    MaterialForm,
    ServiceItem,
    ServiceItemVersion,
)
from .rules import MAX_VISITS, elements_problems, elements_unlisted
from .search import SearchOutcome, rank_and_filter
from .services import review_refusal

# --- public catalog ------------------------------------------------------------------------------


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)


def pledge_items(*, department: str = "", query: str = "") -> QuerySet[ServiceItem]:
    """The published list of 告知承诺 items (plan 四（十五）8(2): 公布实行告知承诺制的证明事项和涉企经营
    许可事项清单目录): items whose 证照分离 mode is 实行告知承诺 or where a pledge may replace proofs,
    filterable by competent department and by name or code."""
    qs = published_items().filter(Q(reform_mode="pledge") | Q(pledge_allowed=True))
    if department:
        qs = qs.filter(competent_department__code=department)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(code__icontains=query))
    return qs.select_related("competent_department").order_by("competent_department__code", "code")


def _filtered(
    qs: QuerySet[ServiceItem],
    *,
    department: str | None = None,
    level: str | None = None,
    kind: str | None = None,
    bundle: str | None = None,
    online_depth: int | None = None,
    audience: str | None = None,
) -> QuerySet[ServiceItem]:
    if department:
        qs = qs.filter(Q(competent_department__code=department) | Q(implementing_department__code=department))
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if bundle:
        qs = qs.filter(bundle_items__bundle__code=bundle, bundle_items__bundle__status=BundleStatus.PUBLISHED)
    if online_depth:
        qs = qs.filter(online_depth=online_depth)
    if audience:
        qs = qs.filter(Q(audience=audience) | Q(audience="both"))
    return qs


def item_search(*, query: str = "", **filters) -> SearchOutcome:
    """Published items matching a Chinese keyword query and the filters, best match first.

    Filters: ``department`` (code; competent or implementing), ``level``, ``kind``, ``bundle``
    (life event code), ``online_depth`` (1–4), ``audience``. See ``search.py`` for the matching.
    """
    qs = _filtered(published_items(), **filters).select_related("competent_department", "implementing_department")
    return rank_and_filter(qs, query)


def item_guide(code: str) -> ServiceItem | None:
    """A published item with everything its guide (办事指南) shows, or None."""
    return (
        published_items()
        .select_related("competent_department", "implementing_department", "region")
        .prefetch_related(
            Prefetch("materials", queryset=ItemMaterial.objects.order_by("position", "id")),
            Prefetch("bundles", queryset=Bundle.objects.filter(status=BundleStatus.PUBLISHED).order_by("code")),
        )
        .filter(code=code)
        .first()
    )


def item_withdrawn(code: str) -> ServiceItem | None:
    """A withdrawn item (its guide answers 410 with a notice rather than 404), or None."""
    return ServiceItem.objects.filter(code=code, status=ItemStatus.WITHDRAWN).first()


def item_listed(code: str) -> ServiceItem | None:
    """An item that was published at some time (published or withdrawn): its versions are public."""
    return ServiceItem.objects.exclude(status=ItemStatus.DRAFT).filter(code=code).first()


def item_by_code(code: str) -> ServiceItem | None:
    """The item with this code in any status (a proposal adjusts it, or creates it when None)."""
    return ServiceItem.objects.filter(code=code).first()


def version_rows(version: ServiceItemVersion) -> list[tuple[str, object]]:
    """A frozen version's elements as (label, display value) rows, departments by name, enums by label."""
    elements = version.elements
    codes = [elements.get("competent_department"), elements.get("implementing_department")]
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for key, spec in ITEM_FIELD_BY_KEY.items():
        value = elements.get(key)
        if spec.type == "department":
            value = names.get(value, value)
        elif spec.type == "bool":
            value = _("是") if value else _("否")
        elif spec.type in ("enum", "depth") and value not in ("", None):
            value = spec.choices(value).label
        rows.append((spec.label, value))
    return rows


def item_version(item: ServiceItem, number: int) -> ServiceItemVersion | None:
    """The frozen version a case was filed under."""
    return ServiceItemVersion.objects.filter(item=item, number=number).first()


def item_current_version(item: ServiceItem) -> ServiceItemVersion | None:
    if item.version == 0:
        return None
    return item_version(item, item.version)


def filter_choices() -> dict:
    """Departments and life events that have published items (for the search form)."""
    department_ids = set(published_items().values_list("competent_department", flat=True))
    department_ids |= set(published_items().values_list("implementing_department", flat=True))
    return {
        "departments": list(Department.objects.filter(pk__in=department_ids).order_by("kind", "code")),
        "bundles": list(Bundle.objects.filter(status=BundleStatus.PUBLISHED).order_by("code")),
    }


# --- bundles -------------------------------------------------------------------------------------


def bundle_list(*, query: str = "") -> QuerySet[Bundle]:
    qs = Bundle.objects.filter(status=BundleStatus.PUBLISHED).select_related("lead_department")
    query = unicodedata.normalize("NFKC", query or "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(description__icontains=query) | Q(keywords__icontains=query))
    return qs.annotate(item_count=Count("bundle_items")).order_by("code")


def bundle_detail(code: str) -> Bundle | None:
    return (
        Bundle.objects.filter(status=BundleStatus.PUBLISHED, code=code)
        .select_related("lead_department")
        .prefetch_related(
            Prefetch(
                "bundle_items",
                queryset=BundleItem.objects.select_related(
                    "item", "item__competent_department", "item__implementing_department"
                )
                .prefetch_related(Prefetch("item__materials", queryset=ItemMaterial.objects.order_by("position", "id")))
                .order_by("position", "id"),
            )
        )
        .first()
    )


def _material_key(material: ItemMaterial) -> str:
    # One document, however each item words it: an e-licence type names it exactly; otherwise the
    # normalised name ("营业执照（副本）复印件" and "营业执照副本复印件" are one).
    if material.licence_type:
        return "licence:" + material.licence_type
    folded = unicodedata.normalize("NFKC", material.name)
    return "name:" + "".join(ch for ch in folded if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


_FORM_ORDER = {MaterialForm.COPY: 0, MaterialForm.ORIGINAL: 1, MaterialForm.BOTH: 2}


@dataclass
class MergedMaterial:
    """One line of a bundle's merged material list, with the items it serves."""

    name: str
    form: str
    copies: int | None
    required: bool
    key: bool
    deferrable: bool
    pledge_replaceable: bool
    licence_type: str
    sources: list[tuple[str, str]] = field(default_factory=list)  # (item code, material code)
    item_names: list[str] = field(default_factory=list)

    @property
    def form_label(self) -> str:
        return MaterialForm(self.form).label


def bundle_merged_materials(bundle: Bundle) -> list[MergedMaterial]:
    """The bundle's one material list: each document once, with the strictest requirement any item has.

    Rule (一件事一次办, plan 四（十五）3: 一次告知、一表申请): a document several items need is provided
    once; it is required/key if any item says so, deferrable or pledge-replaceable only if every item
    allows it; the form is the most demanding (original and copy ≻ original ≻ copy) and the copies
    the largest number asked.
    """
    merged: dict[str, MergedMaterial] = {}
    for bundle_item in bundle.bundle_items.all():
        item = bundle_item.item
        for material in item.materials.all():
            key = _material_key(material)
            line = merged.get(key)
            if line is None:
                line = merged[key] = MergedMaterial(
                    name=material.name,
                    form=material.form,
                    copies=material.copies,
                    required=material.required,
                    key=material.key,
                    deferrable=material.deferrable,
                    pledge_replaceable=material.pledge_replaceable,
                    licence_type=material.licence_type,
                )
            else:
                if {line.form, material.form} == {MaterialForm.ORIGINAL, MaterialForm.COPY}:
                    line.form = MaterialForm.BOTH  # one item wants the original, another a copy
                elif _FORM_ORDER.get(material.form, -1) > _FORM_ORDER.get(line.form, -1):
                    line.form = material.form
                # An unlisted count (None) never hides a listed one.
                line.copies = max(line.copies or 0, material.copies or 0) or None
                line.required = line.required or material.required
                line.key = line.key or material.key
                line.deferrable = line.deferrable and material.deferrable
                line.pledge_replaceable = line.pledge_replaceable and material.pledge_replaceable
            line.deferrable = line.deferrable and not line.key
            line.sources.append((item.code, material.code))
            if item.name not in line.item_names:
                line.item_names.append(item.name)
    return list(merged.values())


def bundle_merged_form(bundle: Bundle) -> list[dict]:
    """The bundle's one application form: every item's fields, each key once (一表申请).

    A field is required if any item requires it; the first item's label and type are kept.
    """
    fields: dict[str, dict] = {}
    for bundle_item in bundle.bundle_items.all():
        item = bundle_item.item
        for form_field in item.form_fields or []:
            line = fields.get(form_field["key"])
            if line is None:
                fields[form_field["key"]] = {**form_field, "items": [item.code]}
            else:
                line["required"] = line["required"] or form_field.get("required", False)
                line["items"].append(item.code)
    return list(fields.values())


def bundle_totals(bundle: Bundle) -> dict:
    """What a bundle saves: materials and form fields before and after merging."""
    items = [bi.item for bi in bundle.bundle_items.all()]
    return {
        "items": len(items),
        "materials_before": sum(len(i.materials.all()) for i in items),
        "materials_after": len(bundle_merged_materials(bundle)),
        "fields_before": sum(len(i.form_fields or []) for i in items),
        "fields_after": len(bundle_merged_form(bundle)),
        "promised_days": max((i.promised_days for i in items), default=0),
    }


# --- staff ---------------------------------------------------------------------------------------


def staff_items(user) -> QuerySet[ServiceItem]:
    """Items (any status) the user may maintain or look over.

    Rule (DESIGN.md, department scoping): a handler sees items where their department is the
    competent or implementing department; administrators, leaders and supervisors their region.
    """
    scope = scope_for(user)
    by_competent = scope.q("department.read", department="competent_department", region=None)
    by_implementing = scope.q("department.read", department="implementing_department", region=None)
    conditions = [q for q in (by_competent, by_implementing) if q is not None]
    if not conditions:
        return ServiceItem.objects.none()
    return ServiceItem.objects.filter(reduce(or_, conditions))


def staff_item_list(
    *, user, query: str = "", status: str | None = None, problems_only: bool = False, **filters
) -> tuple[list[ServiceItem], dict[int, list[Problem]]]:
    """The staff catalog: the user's items with their consistency problems (errors and warnings)."""
    qs = _filtered(staff_items(user), **filters)
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("competent_department", "implementing_department").prefetch_related(
        Prefetch("materials", queryset=ItemMaterial.objects.order_by("position", "id"))
    )
    qs = rank_and_filter(qs, query).queryset if query else qs.order_by("code")
    items = list(qs)
    problems = {item.pk: item_problems(item) for item in items}
    if problems_only:
        items = [item for item in items if problems[item.pk]]
    return items, problems


def staff_item(user, code: str) -> ServiceItem | None:
    return (
        staff_items(user)
        .select_related("competent_department", "implementing_department", "region")
        .prefetch_related(Prefetch("materials", queryset=ItemMaterial.objects.order_by("position", "id")))
        .filter(code=code)
        .first()
    )


def unlisted_items_q() -> Q:
    """Items with an element a published guide needs that the source did not list (未列明)."""
    return (
        Q(fee_charged__isnull=True)
        | Q(delivery_window=False, delivery_post=False, delivery_electronic=False)
        | Q(materials__form=MaterialForm.UNKNOWN)
        | Q(materials__copies__isnull=True)
        | Q(on_application=True, materials__isnull=True)
    )


def items_data_quality(items: QuerySet[ServiceItem]) -> list[tuple[ServiceItem, list[str]]]:
    """The data-quality report: each item (not withdrawn) with the elements it does not list, so the
    department can complete them (the guide says "以窗口告知为准" meanwhile). Pass ``staff_items(user)``
    on pages; the command passes every item."""
    pks = items.exclude(status=ItemStatus.WITHDRAWN).filter(unlisted_items_q()).values_list("pk", flat=True).distinct()
    rows = (
        ServiceItem.objects.filter(pk__in=list(pks))
        .select_related("competent_department", "implementing_department", "region")
        .prefetch_related(Prefetch("materials", queryset=ItemMaterial.objects.order_by("position", "id")))
        .order_by("competent_department__code", "code")
    )
    return [(item, elements_unlisted(item_elements(item))) for item in rows]


def item_problems(item: ServiceItem) -> list[Problem]:
    """The consistency problems of an item as it stands (see rules.py)."""
    return elements_problems(item_elements(item))


def item_history(item: ServiceItem) -> QuerySet[ServiceItemVersion]:
    """Every published version with who proposed, who reviewed, why and when (staff only)."""
    return item.versions.select_related("proposed_by", "reviewed_by").order_by("-number")


def item_changes(item: ServiceItem) -> QuerySet[ItemChange]:
    return item.changes.select_related("proposed_by", "reviewed_by").order_by("-proposed_at", "-id")


def review_queue(*, reviewer) -> list[ItemChange]:
    """Pending proposals this reviewer may decide (交叉盲审: never their own department's, never their own).

    The list carries no proposer: templates and the API show the reason and the changes only.
    """
    pending = (
        ItemChange.objects.filter(status=ChangeStatus.PENDING)
        .select_related("item", "item__competent_department")
        .order_by("proposed_at", "id")
    )
    departments = set(user_departments(reviewer).values_list("pk", flat=True))
    if not departments:
        return []
    return [change for change in pending if review_refusal(change, reviewer) is None]


def review_detail(*, change: ItemChange, reviewer) -> dict | None:
    """What a reviewer sees of one proposal: item, kind, reason, element-by-element changes — no proposer."""
    if change.status != ChangeStatus.PENDING or review_refusal(change, reviewer) is not None:
        return None
    item = change.item
    before = None
    if change.kind != ItemChange.Kind.CREATE:
        version = item_current_version(item)
        before = version.elements if version else item_elements(item)
    departments = {
        d.code: d
        for d in Department.objects.filter(
            code__in=[change.elements["competent_department"], change.elements["implementing_department"]]
        )
    }
    return {
        "change": change,
        "item": item,
        "kind": change.get_kind_display(),
        "reason": change.reason,
        "proposed_at": change.proposed_at,
        "diff": elements_diff(before, change.elements),
        "elements": change.elements,
        "departments": departments,
        "problems": elements_problems(change.elements),
    }


def change_get(pk: int, *, pending: bool = False) -> ItemChange | None:
    """One proposal with its item (the service that acts on it checks who may), or None."""
    qs = ItemChange.objects.select_related("item").filter(pk=pk)
    if pending:
        qs = qs.filter(status=ChangeStatus.PENDING)
    return qs.first()


def changes_proposed_by(user) -> QuerySet[ItemChange]:
    return ItemChange.objects.filter(proposed_by=user).select_related("item").order_by("-proposed_at", "-id")


# --- the plan's catalog targets ------------------------------------------------------------------

# The targets themselves are settings (``yiwang.catalog.conf``); re-exported here for callers.
DEFAULT_TARGETS = TARGET_DEFAULTS


@dataclass
class CatalogMeasures:
    label: str
    published: int
    applied: int
    online: int
    zero_visit: int
    instant: int
    reform: int
    department: Department | None = None
    over_visits: int = 0
    region: Region | None = None

    @property
    def online_rate(self) -> float | None:
        return self.online / self.applied if self.applied else None

    @property
    def zero_visit_share(self) -> float | None:
        return self.zero_visit / self.applied if self.applied else None

    @property
    def online_pct(self) -> float | None:
        return None if self.online_rate is None else round(self.online_rate * 100, 1)

    @property
    def zero_visit_pct(self) -> float | None:
        return None if self.zero_visit_share is None else round(self.zero_visit_share * 100, 1)


def _measures(
    label: str, row: dict, department: Department | None = None, region: Region | None = None
) -> CatalogMeasures:
    return CatalogMeasures(
        label=label,
        department=department,
        region=region,
        published=row["count"],
        **{
            name: row.get(name) or 0 for name in ("applied", "online", "zero_visit", "instant", "reform", "over_visits")
        },
    )


def _overall_label(regions: list[Region]) -> str:
    """The name of the area the figures cover: the one region that contains every item's region, or a count."""
    if not regions:
        return "全县"
    top = min(regions, key=lambda r: len(r.path))
    if all(r.path.startswith(top.path) for r in regions):
        return top.name
    return f"全部区划（{len(regions)}个）"


def catalog_targets(*, level: str | None = None, region: Region | None = None) -> dict:
    """The plan's catalog targets measured on published items, overall and per competent department.

    - 网上可办率 = items applied for (依申请) with online depth ≥ III ÷ items applied for; target ≥ 60 %
      (plan 二、（一）(2)).
    - zero-visit share = items applied for with 0 visits ÷ items applied for.
    - instant items = items handled on the spot (即办件).
    - reform items = items whose 证照分离 mode is 直接取消审批, 审批改为备案 or 实行告知承诺; target ≥ 106
      (plan 四、（一）2). 优化审批服务 does not count.

    Read from the ``catalog.items`` snapshot (one fact row per region, competent department and
    level), which every publish and withdrawal keeps current — never from the items.
    """
    per_region = [row for row in facts(ITEMS, key=level, region=region, group_by=("region",)) if row["count"]]
    regions = Region.objects.in_bulk([row["region"] for row in per_region])
    region_rows = [_measures(regions[row["region"]].name, row, region=regions[row["region"]]) for row in per_region]
    region_rows.sort(key=lambda m: (m.region.path, m.label))
    label = region.name if region is not None else _overall_label(list(regions.values()))
    overall = _measures(label, fact_total(ITEMS, key=level, region=region))
    per_department = [row for row in facts(ITEMS, key=level, region=region, group_by=("department",)) if row["count"]]
    departments = Department.objects.in_bulk([row["department"] for row in per_department])
    rows = [
        _measures(str(departments[row["department"]]), row, departments[row["department"]]) for row in per_department
    ]
    rows.sort(key=lambda m: (-(m.online_rate or 0), -m.applied, m.label))
    targets = catalog_targets_config()
    return {
        "overall": overall,
        "departments": rows,
        "targets": targets,
        "met": {
            "online_rate": overall.online_rate is not None and overall.online_rate >= targets["online_rate"],
            "reform_items": overall.reform >= targets["reform_items"],
            "zero_visit_share": None
            if targets["zero_visit_share"] is None
            else (overall.zero_visit_share or 0) >= targets["zero_visit_share"],
            "instant_items": None if targets["instant_items"] is None else overall.instant >= targets["instant_items"],
        },
        "regions": region_rows,
        "max_visits": MAX_VISITS,
        "levels": {
            row["key"]: row["count"]
            for row in facts(ITEMS, key=level, region=region, group_by=("key",))
            if row["count"]
        },
    }


# --- the town and village lists and the 15-minute service circle (plan 三、1) ----------------------


@dataclass
class GrassrootsRow:
    """One town: the items its service centre offers against the town-list target, and its villages:
    how many offer the village list in full and how many have a station (the 15-minute circle)."""

    town: Region
    town_items: int
    has_centre: bool
    villages: int
    villages_with_station: int
    villages_meeting_list: int
    village_items_min: int
    village_rows: list = field(default_factory=list)  # (village, items, has station)


def grassroots_targets() -> dict:
    """Plan 三、1 measured per town and village on published items (the ``catalog.items`` roll-up):
    a town offers the town-level items published for it or for an area containing it, a village the
    village-level items likewise. A village is inside the 15-minute service circle when it has a
    便民服务站 (an active village station hall in the organisation data)."""
    from yiwang.org.models import ServiceHall

    targets = catalog_targets_config()
    regions = {r.pk: r for r in Region.objects.filter(level__in=["county", "town", "village"])}

    def offered(level: str) -> dict[str, int]:
        # items of this level by the path of the region they are published for
        rows = facts(ITEMS, key=level, group_by=("region",))
        paths: dict[str, int] = {}
        for row in rows:
            region = regions.get(row["region"])
            if region is not None and row["count"]:
                paths[region.path] = paths.get(region.path, 0) + row["count"]
        return paths

    def count_for(region: Region, paths: dict[str, int]) -> int:
        return sum(n for path, n in paths.items() if region.path.startswith(path))

    town_paths, village_paths = offered("town"), offered("village")
    halls = ServiceHall.objects.filter(kind__in=["town_centre", "village_station"])
    with_hall = set(halls.values_list("region_id", flat=True))
    towns = sorted((r for r in regions.values() if r.level == "town"), key=lambda r: r.code)
    villages_of: dict[int, list[Region]] = {}
    for region in regions.values():
        if region.level == "village":
            villages_of.setdefault(region.parent_id, []).append(region)
    rows = []
    for town in towns:
        villages = sorted(villages_of.get(town.pk, []), key=lambda r: r.code)
        village_rows = [(v, count_for(v, village_paths), v.pk in with_hall) for v in villages]
        rows.append(
            GrassrootsRow(
                town=town,
                town_items=count_for(town, town_paths),
                has_centre=town.pk in with_hall,
                villages=len(villages),
                villages_with_station=sum(1 for _v, _n, station in village_rows if station),
                villages_meeting_list=sum(1 for _v, n, _s in village_rows if n >= targets["village_list_items"]),
                village_items_min=min((n for _v, n, _s in village_rows), default=0),
                village_rows=village_rows,
            )
        )
    villages_total = sum(r.villages for r in rows)
    return {
        "rows": rows,
        "town_target": targets["town_list_items"],
        "village_target": targets["village_list_items"],
        "towns_meeting_list": sum(1 for r in rows if r.town_items >= targets["town_list_items"]),
        "towns": len(rows),
        "villages": villages_total,
        "villages_with_station": sum(r.villages_with_station for r in rows),
        "villages_meeting_list": sum(r.villages_meeting_list for r in rows),
    }


# --- one item's elements, typed ------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialSpec:
    """One material of an item's checklist, as a case files it."""

    code: str
    name: str
    form: str = ""
    copies: int = 1
    required: bool = True
    key: bool = False
    # 容缺: only a non-key material may be supplied later, so a key material is never deferrable here.
    deferrable: bool = False
    pledge_replaceable: bool = False
    licence_type: str = ""
    blank_form: str = ""
    sample: str = ""
    note: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class FormFieldSpec:
    """One field of an item's application form."""

    key: str
    label: str
    type: str = "text"
    required: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


# Delivery method (cases' ``DeliveryMethod`` values) → the element that offers it.
DELIVERY_FLAGS = {"window": "delivery_window", "post": "delivery_post", "electronic": "delivery_electronic"}


@dataclass(frozen=True)
class ItemSpec:
    """What a case needs to know of one item version: every element, typed, with the defaults applied.

    Built from the version's frozen elements (``ServiceItemVersion.elements``), so a case keeps the
    rules it was filed under after the item changes. ``department_id`` is the implementing
    department (实施主体), the one that handles the case.
    """

    item_id: int
    version_number: int  # 0 when the item was never published (built from the item row)
    code: str
    name: str
    kind: str
    level: str
    audience: str  # person | enterprise | both
    on_application: bool
    department_id: int | None
    implementing_department: str  # department code
    competent_department: str  # department code
    legal_days: int
    promised_days: int
    limit_unit: str  # workdays | calendar_days (自然日): how both limits are counted
    handling_type: str
    instant: bool  # 即办件 ⇔ promised_days = 0
    online_depth: int  # I–IV; ≥ III accepts online applications
    visits_required: int
    visits_reason: str
    fee_charged: bool
    online_payment: bool
    delivery_window: bool
    delivery_post: bool
    delivery_electronic: bool
    reform_mode: str
    pledge_allowed: bool
    kiosk_available: bool
    cross_region: bool
    form_fields: tuple[FormFieldSpec, ...] = ()
    materials: tuple[MaterialSpec, ...] = ()

    @property
    def online(self) -> bool:
        """Accepts online applications (网办深度 ≥ III)."""
        return self.online_depth >= 3

    @property
    def delivery_methods(self) -> tuple[str, ...]:
        """The delivery methods offered, in ``DELIVERY_FLAGS`` order."""
        return tuple(method for method, flag in DELIVERY_FLAGS.items() if getattr(self, flag))

    def offers_delivery(self, method: str) -> bool:
        flag = DELIVERY_FLAGS.get(method)
        return flag is not None and bool(getattr(self, flag))

    def material(self, code: str) -> MaterialSpec | None:
        return next((m for m in self.materials if m.code == code), None)


def _material_spec(raw: dict) -> MaterialSpec:
    key = bool(raw.get("key", False))
    return MaterialSpec(
        code=raw["code"],
        name=raw["name"],
        form=raw.get("form", ""),
        copies=raw.get("copies", 1),
        required=bool(raw.get("required", True)),
        key=key,
        deferrable=bool(raw.get("deferrable", False)) and not key,
        pledge_replaceable=bool(raw.get("pledge_replaceable", False)),
        licence_type=raw.get("licence_type") or "",
        blank_form=raw.get("blank_form") or "",
        sample=raw.get("sample") or "",
        note=raw.get("note") or "",
    )


def _form_field_spec(raw: dict) -> FormFieldSpec:
    return FormFieldSpec(
        key=raw["key"],
        label=raw.get("label") or raw["key"],
        type=raw.get("type") or "text",
        required=bool(raw.get("required", False)),
    )


def item_spec(item: ServiceItem | None = None, *, version: ServiceItemVersion | None = None) -> ItemSpec:
    """The typed elements of ``version`` (or of ``item``'s current version).

    An item never published has no version; its spec is then built from the item row as it stands.
    Missing keys take the defaults cases has always applied: audience from the item (else "both"),
    every delivery flag but the window off, pledges not allowed, a material required and not deferrable.
    """
    if version is None:
        if item is None:
            raise TypeError("item_spec needs an item or a version")
        version = item_current_version(item) if item.version else None
    if version is not None:
        item = item if item is not None and item.pk == version.item_id else version.item
        elements, number = version.elements, version.number
    else:
        elements, number = item_elements(item), 0

    def get(key, fallback=None):
        value = elements.get(key)
        return fallback if value is None else value

    implementing = get("implementing_department", "")
    department_id = item.implementing_department_id
    cached = ServiceItem.implementing_department.is_cached(item) and item.implementing_department
    if implementing and not (cached and cached.code == implementing):
        department_id = (
            Department.objects.filter(code=implementing).values_list("pk", flat=True).first() or department_id
        )
    promised = get("promised_days", item.promised_days)
    handling_type = get("handling_type", item.handling_type)
    return ItemSpec(
        item_id=item.pk,
        version_number=number,
        code=get("code", item.code),
        name=get("name", item.name),
        kind=get("kind", item.kind),
        level=get("level", item.level),
        audience=get("audience", item.audience or "both"),
        on_application=bool(get("on_application", True)),
        department_id=department_id,
        implementing_department=implementing,
        competent_department=get("competent_department", ""),
        legal_days=get("legal_days", item.legal_days),
        promised_days=promised,
        # a version frozen before limits could be in calendar days counted working days
        limit_unit=get("limit_unit", LimitUnit.WORKDAYS),
        handling_type=handling_type,
        instant=handling_type == HandlingType.INSTANT,
        online_depth=get("online_depth", item.online_depth),
        visits_required=get("visits_required", item.visits_required),
        visits_reason=get("visits_reason", ""),
        fee_charged=bool(get("fee_charged", False)),
        online_payment=bool(get("online_payment", False)),
        delivery_window=bool(get("delivery_window", False)),
        delivery_post=bool(get("delivery_post", False)),
        delivery_electronic=bool(get("delivery_electronic", False)),
        reform_mode=get("reform_mode", ""),
        pledge_allowed=bool(get("pledge_allowed", False)),
        kiosk_available=bool(get("kiosk_available", False)),
        cross_region=bool(get("cross_region", False)),
        form_fields=tuple(_form_field_spec(f) for f in get("form_fields", [])),
        materials=tuple(_material_spec(m) for m in get("materials", [])),
    )
