"""What is copied: the roots, the models hanging off them and the clocks, their template rows, each row's root
and the rows a live and a history round copy."""

from __future__ import annotations

from dataclasses import dataclass, field

ROOT_MODELS = ("cases.Case", "hotline.Appeal")
# The county's ledger of handed-out credit codes records real assignments from its range, one row per serial:
# a copied founding gets a synthetic code of its own (a unique text, below) and no ledger row.
NOT_COPIED = {"cases.UsccAssignment", "hotline.SimilarPair"}
# Columns a copy starts without: a copied appeal is not marked as having its similar pairs stored (they are
# with the copies of other rounds too, so the generator's last step finds them, ``hotline similar``).
CLEARED_COLUMNS = {"hotline.Appeal": ("similar_at",)}
DEPENDENT_APPS = ("cases", "hotline", "ratings")
CLOCK_MODELS = ("workdays.Clock", "workdays.ClockPause")

# --- the model graph ----------------------------------------------------------------------------


@dataclass
class Table:
    """One copied model: its columns, its template rows and how each column is rewritten."""

    model: type
    label: str
    columns: list[str] = field(default_factory=list)
    remap: dict[str, str] = field(default_factory=dict)  # column → label of the copied model it points at
    nullable: set[str] = field(default_factory=set)
    shift: set[str] = field(default_factory=set)  # date/datetime columns moved back with the round
    unique_text: dict[str, int] = field(default_factory=dict)  # column → max length
    owner: tuple[str, str] | None = None  # (content_type column, object_id column) of a generic owner
    rows: list[list] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    position: dict[int, int] = field(default_factory=dict)
    root_of: dict[int, tuple[str, int]] = field(default_factory=dict)
    base: int = 0  # first id of the copies


def _label(model) -> str:
    return model._meta.label


def copied_models() -> list[type]:
    """Roots, every model of DEPENDENT_APPS pointing at a copied model (to a fixed point), clocks."""
    from django.apps import apps

    chosen = {_label(apps.get_model(label)): apps.get_model(label) for label in ROOT_MODELS}
    candidates = [
        m for app in DEPENDENT_APPS for m in apps.get_app_config(app).get_models() if _label(m) not in NOT_COPIED
    ]
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if _label(model) in chosen:
                continue
            if any(f.many_to_one or f.one_to_one for f in model._meta.concrete_fields if _points_at(f, chosen)):
                chosen[_label(model)] = model
                changed = True
    # many-to-many tables between copied models and anything else (a dispatch's co-departments …)
    for model in list(chosen.values()):
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                chosen[_label(through)] = through
    for label in CLOCK_MODELS:
        chosen[label] = apps.get_model(label)
    return list(chosen.values())


def _points_at(field, chosen) -> bool:
    return field.is_relation and field.related_model is not None and _label(field.related_model) in chosen


def describe(model, labels: set[str]) -> Table:
    from django.db import models

    table = Table(model=model, label=_label(model))
    for f in model._meta.concrete_fields:
        table.columns.append(f.column)
        if f.null:
            table.nullable.add(f.column)
        if f.is_relation and f.related_model is not None and _label(f.related_model) in labels:
            table.remap[f.column] = _label(f.related_model)
        elif isinstance(f, models.DateTimeField | models.DateField):
            table.shift.add(f.column)
        elif f.unique and not f.primary_key and isinstance(f, models.CharField):
            table.unique_text[f.column] = f.max_length
    # a text unique through a one-field constraint (often conditional: unique unless blank) is rewritten too
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and len(constraint.fields) == 1:
            f = model._meta.get_field(constraint.fields[0])
            if isinstance(f, models.CharField):
                table.unique_text[f.column] = f.max_length
    names = {f.name: f for f in model._meta.concrete_fields}
    if "content_type" in names and "object_id" in names:
        table.owner = (names["content_type"].column, names["object_id"].column)
    return table


TEMPLATES_ACTION = "bench.templates"


def template_bounds(tables: dict[str, Table]) -> dict[str, int]:
    """The last id of each table's templates, fixed by the first run on this database.

    The templates are the rows there were before anything was generated (``manage.py demo``'s, written
    through the services). The first run records each table's highest id as an audited event of its own,
    committed before any copy is written; every later run — a top-up to a larger scale — copies those same
    rows and never the copies, so a database of millions is topped up from the same few thousand templates.
    """
    from django.db import connection, transaction

    from yiwang.core.audit import audit_record
    from yiwang.core.models import AuditEvent

    first = AuditEvent.objects.filter(action=TEMPLATES_ACTION).order_by("pk").first()
    if first is not None:
        return {label: int(v) for label, v in first.details["max_pk"].items()}
    bounds = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            pk = table.model._meta.pk.column
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table.model._meta.db_table}"')
            bounds[label] = cursor.fetchone()[0]
    with transaction.atomic():
        audit_record(actor=None, action=TEMPLATES_ACTION, details={"max_pk": bounds})
    return bounds


def load_templates(tables: dict[str, Table], cursor, bounds: dict[str, int] | None = None) -> None:
    """Read every template row (the cases, appeals and what hangs off them up to ``bounds``, else all)."""
    from django.db import models

    for label, table in tables.items():
        select = []
        for f in table.model._meta.concrete_fields:
            column = f'"{f.column}"'
            select.append(f"CAST({column} AS text)" if isinstance(f, models.JSONField) else column)
        pk = table.model._meta.pk.column
        # a table added after the first run has no bound: its rows then are templates' rows only if it
        # was empty of copies, which a new table of the copied apps is (the generator had not copied it)
        where = f'WHERE "{pk}" <= {int(bounds[label])}' if bounds and label in bounds else ""
        cursor.execute(f'SELECT {", ".join(select)} FROM "{table.model._meta.db_table}" {where} ORDER BY "{pk}"')
        table.rows = [list(row) for row in cursor.fetchall()]
        for column in CLEARED_COLUMNS.get(label, ()):
            index = table.columns.index(column)
            for row in table.rows:
                row[index] = None
        pk_index = table.columns.index(pk)
        table.ids = [row[pk_index] for row in table.rows]
        table.position = {pk_value: i for i, pk_value in enumerate(table.ids)}


def assign_roots(tables: dict[str, Table]) -> None:
    """Each template row's root (a case or an appeal): roots are their own; a row pointing at a copied
    row takes that row's root (clocks last: by the rows that point at them, else by their owner)."""
    from django.contrib.contenttypes.models import ContentType

    for label in ROOT_MODELS:
        table = tables[label]
        table.root_of = {pk: (label, pk) for pk in table.ids}
    clock_labels = set(CLOCK_MODELS)
    pending = [t for t in tables.values() if t.label not in ROOT_MODELS]
    for _ in range(len(tables) + 2):
        for table in pending:
            for row in table.rows:
                pk = row[table.columns.index(table.model._meta.pk.column)]
                if pk in table.root_of:
                    continue
                for column, target in table.remap.items():
                    if target in clock_labels and table.label not in clock_labels:
                        continue
                    value = row[table.columns.index(column)]
                    root = tables[target].root_of.get(value) if value is not None else None
                    if root is not None:
                        table.root_of[pk] = root
                        break
        # clocks: from the rows pointing at them, else from their owner
        clocks = tables["workdays.Clock"]
        for table in tables.values():
            for column, target in table.remap.items():
                if target != "workdays.Clock" or table.label in clock_labels:
                    continue
                index = table.columns.index(column)
                for row, pk in zip(table.rows, table.ids, strict=True):
                    if row[index] is not None and pk in table.root_of:
                        clocks.root_of.setdefault(row[index], table.root_of[pk])
        ct_column, oid_column = clocks.owner
        types = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
        by_lower = {label.lower(): label for label in tables}
        ct_index, oid_index = clocks.columns.index(ct_column), clocks.columns.index(oid_column)
        for row, pk in zip(clocks.rows, clocks.ids, strict=True):
            owner = by_lower.get(types.get(row[ct_index], "").lower())
            if owner and pk not in clocks.root_of:
                root = tables[owner].root_of.get(row[oid_index])
                if root is not None:
                    clocks.root_of[pk] = root


def open_roots(tables: dict[str, Table]) -> set[tuple[str, int]]:
    """Roots whose work is not finished: open cases and appeals, decided cases not yet delivered, replied
    appeals not yet revisited, delivered cases whose pledge is still to be verified (事中事后核查: a task
    with no clock of its own), and anything with a running clock."""
    from yiwang.cases.models import DECIDED_STATES, PledgeVerification
    from yiwang.cases.models import OPEN_STATES as CASE_OPEN
    from yiwang.hotline.models import OPEN_STATES as APPEAL_OPEN
    from yiwang.hotline.models import Appeal

    result = set()
    for label, states in (
        ("cases.Case", (*CASE_OPEN, *DECIDED_STATES)),
        ("hotline.Appeal", (*APPEAL_OPEN, Appeal.State.REPLIED)),
    ):
        table = tables[label]
        index = table.columns.index("state")
        result |= {(label, pk) for row, pk in zip(table.rows, table.ids, strict=True) if row[index] in set(states)}
    clocks = tables["workdays.Clock"]
    index = clocks.columns.index("state")
    for row, pk in zip(clocks.rows, clocks.ids, strict=True):
        if row[index] in ("running", "paused") and pk in clocks.root_of:
            result.add(clocks.root_of[pk])
    # Copied back in time, a pending verification would be one more overdue task in every history round:
    # the verification queue would grow with the history's length instead of the daily intake.
    verifications = tables.get("cases.PledgeVerification")
    if verifications is not None:
        index = verifications.columns.index("state")
        for row, pk in zip(verifications.rows, verifications.ids, strict=True):
            if row[index] == PledgeVerification.State.PENDING and pk in verifications.root_of:
                result.add(verifications.root_of[pk])
    return result


def eligible(tables: dict[str, Table], excluded_roots: set) -> dict[str, list[int]]:
    """Template positions copied in a round that leaves out ``excluded_roots``: rows with a root, whose
    root is not excluded, and whose every non-null pointer at a copied model points at a row the round
    copies too (a merged appeal goes with the appeal it was merged into, a rating with its case)."""
    keep = {label: {pk for pk, root in t.root_of.items() if root not in excluded_roots} for label, t in tables.items()}
    changed = True
    while changed:
        changed = False
        for label, table in tables.items():
            for pk in list(keep[label]):
                row = table.rows[table.position[pk]]
                for column, target in table.remap.items():
                    value = row[table.columns.index(column)]
                    if value is not None and value not in keep[target]:
                        keep[label].discard(pk)
                        changed = True
                        break
    return {label: sorted(table.position[pk] for pk in keep[label]) for label, table in tables.items()}
