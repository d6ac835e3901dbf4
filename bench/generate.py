"""Province-scale data: millions of cases and appeals (with everything that hangs off them) by COPY.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale manage.py migrate
    DEBUG=1 DATABASE_URL=… .venv/bin/python manage.py demo                # the templates (once)
    DEBUG=1 DATABASE_URL=… .venv/bin/python bench/generate.py --cases 1000000 --appeals 1000000

On PostgreSQL the rows are written by COPY; on SQLite (the app's default engine) the same rows by
``executemany`` in batches, one transaction per chunk of rounds as on PostgreSQL. The rows are copies of the database's own cases and appeals — on a fresh database
those of ``manage.py demo``, every one written through the services — so each generated row obeys
the services' rules by construction: its state was reached through the workflow, its timestamps are
in order, its clocks, pauses, dispatches, returns, extensions, replies, revisits, materials,
corrections, pledges, ratings and rectifications agree with it. One *round* copies every template
once, shifted back by a whole number of weeks (weekdays, and so working days, keep their meaning);
rounds are spread over ``--weeks`` of history. A template still open (a case in handling, an appeal
not yet replied, anything with a running clock) is copied only in rounds that are not shifted:
open work stays recent and bounded, as in a real county, and history grows.

What is copied is found from the models: the roots (``cases.Case``, ``hotline.Appeal``) and every
model of the cases, hotline and ratings apps that points at one of them, directly or through
another copied row, plus the working-day clocks and their pauses those rows own or point at
(``workdays.Clock`` by its foreign keys and by its owner, ``content_type`` + ``object_id``).
Foreign keys to copied rows are remapped to the copy of the same round; foreign keys elsewhere
(regions, departments, items, users, halls) keep their value. Unique text columns (case numbers,
appeal codes, submission keys) get new values; the copies of one round share the template's
personal data (encrypted at rest, as stored).

Audit: none of the copied acts is audited one by one. The audit log records acts when they happen,
chained in that order, with the time they were recorded; a generated history did not happen now,
and back-dated events would misstate the log. The run is recorded instead as one audited event
(``bench.generated``: counts, templates, seed, weeks), as a data import would be, and the chain
still verifies (``manage.py audit verify``).

Each chunk of rounds is one transaction (one COPY per table; foreign keys checked at commit), so an
interrupted run leaves whole rounds. Afterwards the id sequences are moved past the copies, the
tables analysed and the monthly roll-ups rebuilt (``measures rebuild``, timed).

PostgreSQL bulk load: the session writes with ``synchronous_commit = off`` (a crash may lose the last
chunk, a whole round, never part of one). A table whose load at least doubles it has its secondary
indexes (neither primary nor unique, backing no constraint: foreign-key btrees, trigram GINs, partial
indexes) dropped before the load and rebuilt after, from their own definitions (``pg_get_indexdef``),
written first to ``bench/results/dropped-indexes-<database>.sql`` so that a run interrupted before
the rebuild rebuilds them when it is next started; the rebuilt ``pg_indexes`` must equal what there
was before, or the run fails. Unique indexes and constraints stay. ``--trust-keys`` (a superuser)
turns off the per-row foreign-key triggers for the load and checks each chunk's keys instead by one
anti-join per foreign key before the chunk commits. ``--baseline`` then COPYs the same rows again into
scratch tables without indexes or constraints — the raw COPY rate of the server at that moment — and
prints rows and bytes per row of each table. ``--in-database`` has the server build the copies itself
(``bench/gen/in_database.py``: the templates in temporary tables, one ``INSERT … SELECT`` per table and chunk
of rounds): the same rows, the appeals' texts picked by a hash of the copy's id instead of the random stream.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROOT_MODELS = ("cases.Case", "hotline.Appeal")
# The county's ledger of handed-out credit codes records real assignments from its range, one row per serial:
# a copied founding gets a synthetic code of its own (a unique text, below) and no ledger row.
NOT_COPIED = {"cases.UsccAssignment"}
DEPENDENT_APPS = ("cases", "hotline", "ratings")
CLOCK_MODELS = ("workdays.Clock", "workdays.ClockPause")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases to add (about; whole rounds)")
    parser.add_argument("--appeals", type=int, default=100_000, help="appeals to add (about; whole rounds)")
    parser.add_argument("--weeks", type=int, default=156, help="history spread over this many weeks back")
    parser.add_argument("--live-share", type=float, default=0.01, help="share of rounds not shifted (open work)")
    parser.add_argument("--chunk", type=int, default=50_000, help="roots per transaction")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-rebuild", action="store_true", help="skip the roll-up rebuild")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--drop-indexes",
        choices=("auto", "always", "never"),
        default="auto",
        help="PostgreSQL: drop a table's secondary indexes during the load and rebuild them after "
        "(auto: when the load at least doubles the table)",
    )
    parser.add_argument(
        "--trust-keys",
        action="store_true",
        help="PostgreSQL (superuser): no per-row foreign-key triggers during the load; each chunk's keys are "
        "checked by one anti-join per foreign key before its commit instead",
    )
    parser.add_argument(
        "--as-before",
        action="store_true",
        help="PostgreSQL: the plain load (indexes kept, synchronous commit, per-row key triggers), to compare",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="PostgreSQL: then COPY the same rows into unindexed scratch tables (the raw rate, dropped after)",
    )
    parser.add_argument(
        "--in-database",
        action="store_true",
        help="PostgreSQL: the server builds the copies (templates in temporary tables, one INSERT … SELECT per "
        "table and chunk of rounds) instead of rows built here and sent by COPY; the same rows, the appeals' "
        "texts picked by a hash of the copy's id",
    )
    parser.add_argument(
        "--appeal-texts",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="real citizen messages for the appeals' texts (default DIR: ../shared/data; read at run time, never copied)",
    )
    parser.add_argument(
        "--appeal-texts-with-sample",
        action="store_true",
        help=f"also use {APPEAL_TEXT_SAMPLE} (held out by default: bench/routing.py tests the router on it)",
    )
    return parser.parse_args(argv)


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
    appeals not yet revisited, and anything with a running clock."""
    from yiwang.cases.models import DECIDED_STATES
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


# --- real appeal texts (--appeal-texts) ---------------------------------------------------------
#
# Copies of the demo's ~2,500 appeals repeat the same texts, and a router trained on a million of them
# proves nothing. With --appeal-texts every copied appeal takes a real citizen message instead: the
# shared TipDM 2020 messages (../shared/data, read at run time, never copied into the project), whose
# topic labels are category groups of the county (城乡建设, 劳动和社会保障 …). A message goes to the
# category of its group whose keywords it mentions most (the categories' own keywords, as the rules
# suggestion reads them); one that mentions none goes to the category its group's messages mention
# most. A copy keeps its template's category, department and workflow and takes a message of that
# category, so the text, the category and the department that replied agree. The text is varied so
# that it does not simply repeat: the message's places (A市, K1区 …) become the appeal's own town, it
# opens with the appeal's town and village and a date before it was received, and half the time a
# sentence of another message of the same category follows. Templates of a category no message
# reaches (农业农村, 市场监管 and 政务服务 are no TipDM topic) keep their own texts.

APPEAL_TEXT_TRAIN = "appeals-tipdm2020-train.csv"
APPEAL_TEXT_SAMPLE = "appeals-sample-tipdm2020.csv"
APPEAL_TITLE_MAX = 120
APPEAL_BODY_MAX = 2000
PLACE = "\x00"  # where the appeal's town goes
_CITY = re.compile(r"[A-Z]\d{0,2}市")
_DISTRICT = re.compile(r"[A-Z]\d{0,2}[区县]")
_SENTENCE = re.compile(r"[^。！？!?；;\n\u3000]+[。！？!?；;]?")  # an ideographic space parts paragraphs
_KEYWORD_SPLIT = re.compile(r"[,，、\s]+")
OPENINGS = (
    "",
    "{place}群众反映：",
    "我是{place}的居民，",
    "{date}，{place}村民来电反映：",
    "{place}市民来信：",
    "{date}以来，",
    "反映{place}的问题：",
    "{place}，",
)
CLOSINGS = ("", "请相关部门尽快处理。", "望尽快答复。", "希望早日解决。", "恳请领导重视。")


@dataclass(frozen=True)
class Message:
    """One real message ready to be placed: numbers masked, its places marked with ``PLACE``."""

    title: str
    body: str
    label: str
    tail: tuple[str, ...] = ()  # its sentences after the first (to follow another message)


def read_messages(path: Path) -> list[tuple[str, str, str]]:
    """(title, body, label) of a labelled CSV (UTF-8 with or without BOM; columns ``body`` and
    ``category``, ``title`` optional); blank lines and rows without a body or a label are skipped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"body", "category"} - {(name or "").strip() for name in reader.fieldnames or ()}
        if missing:
            raise SystemExit(f"{path} 缺少列：{'、'.join(sorted(missing))}（需要 body、category，title 可选）")
        rows = []
        for row in reader:
            row = {(k or "").strip(): (v or "") for k, v in row.items() if isinstance(v, str)}
            body, label = row.get("body", "").strip(), row.get("category", "").strip()
            if body and label:
                rows.append((row.get("title", "").strip(), body, label))
    return rows


def prepare_message(title: str, body: str, label: str) -> Message:
    from yiwang.core.pii import mask_text

    def placed(text: str) -> str:
        text = text.replace("_x000D_", "").replace("西地省", "陕西省")  # a spreadsheet's escaped line end
        return _DISTRICT.sub(PLACE, _CITY.sub("眉县", text))

    body = mask_text(placed(body))[:APPEAL_BODY_MAX]
    sentences = [s for s in _SENTENCE.findall(body) if 8 <= len(s) <= 200]
    return Message(mask_text(placed(title)), body, label, tuple(sentences[1:]))


def category_pools(messages: list[Message], categories: list[tuple[int, str, str]]) -> tuple[dict, int]:
    """Messages by category id (``categories``: id, group, keywords in the categories' order) and how
    many messages have a label that is no group of the county's categories."""
    groups: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)
    for pk, group, keywords in categories:
        groups[group.strip()].append((pk, [w for w in _KEYWORD_SPLIT.split(keywords or "") if w]))
    chosen, mentioned = [], defaultdict(Counter)
    for message in messages:
        best, best_hits = None, 0
        text = message.title + message.body
        for pk, words in groups.get(message.label, ()):
            hits = sum(1 for word in words if word in text)
            if hits > best_hits:
                best, best_hits = pk, hits
        if best is not None:
            mentioned[message.label][best] += 1
        chosen.append(best)
    pools, unknown = defaultdict(list), 0
    for message, pk in zip(messages, chosen, strict=True):
        if pk is None:
            if message.label not in groups:
                unknown += 1
                continue
            counts = mentioned[message.label]
            pk = counts.most_common(1)[0][0] if counts else groups[message.label][0][0]
        pools[pk].append(message)
    return dict(pools), unknown


class AppealTexts:
    """Rewrites a copied appeal row in place: a real message of its category, placed in its town."""

    def __init__(self, pools: dict, columns: list[str], names: dict[int, str], towns: list[str], rng, source: dict):
        self.pools, self.names, self.towns, self.rng, self.source = pools, names, towns, rng, source
        index = columns.index
        self.title, self.content, self.originals = index("title"), index("content"), index("pii_originals")
        self.category, self.town, self.village = index("category_id"), index("town_id"), index("village_id")
        self.received = index("received_at")
        self.rewritten = self.kept = 0

    def __call__(self, row: list) -> None:
        pool = self.pools.get(row[self.category])
        if not pool:
            self.kept += 1
            return
        rng = self.rng
        message = pool[rng.randrange(len(pool))]
        town = self.names.get(row[self.town]) or self.towns[rng.randrange(len(self.towns))]
        opening = OPENINGS[rng.randrange(len(OPENINGS))]
        if opening:
            day = row[self.received] - dt.timedelta(days=rng.randint(1, 30))
            place = town + self.names.get(row[self.village], "")
            opening = opening.format(place=place, date=f"{day.month}月{day.day}日")
        parts = [opening, message.body]
        if rng.random() < 0.5:
            other = pool[rng.randrange(len(pool))]
            if other.tail:
                parts.append(other.tail[rng.randrange(len(other.tail))])
        parts.append(CLOSINGS[rng.randrange(len(CLOSINGS))])
        title = message.title or message.body[: rng.randint(10, 20)]
        row[self.title] = title.replace(PLACE, town)[:APPEAL_TITLE_MAX]
        row[self.content] = "".join(parts).replace(PLACE, town)
        row[self.originals] = None  # the template's numbers as typed belong to its own text
        self.rewritten += 1

    def summary(self) -> dict:
        return {**self.source, "rewritten": self.rewritten, "kept": self.kept}


def appeal_texts(args, appeals: Table, seed: int) -> AppealTexts | None:
    """The rewriter of the appeals' texts from the messages in ``--appeal-texts`` (default
    ../shared/data); None, said on stderr, when the data is not there (the copies keep their texts)."""
    from django.conf import settings

    from yiwang.hotline.models import Category
    from yiwang.org.models import Region

    directory = Path(args.appeal_texts) if args.appeal_texts else Path(settings.SHARED_DIR) / "data"
    files = [APPEAL_TEXT_TRAIN, *([APPEAL_TEXT_SAMPLE] if args.appeal_texts_with_sample else [])]
    present = [name for name in files if (directory / name).is_file()]
    for name in files:
        if name not in present:
            print(
                f"未找到真实留言数据 {directory / name}（只在运行时从共享目录读取，不复制进项目）",
                file=sys.stderr,
            )
    if not present:
        print("诉求沿用模板（manage.py demo）的文本：副本的文本会重复", file=sys.stderr)
        return None
    messages = [prepare_message(*row) for name in present for row in read_messages(directory / name)]
    categories = list(Category.objects.order_by("sort_order", "code").values_list("id", "group", "keywords"))
    pools, unknown = category_pools(messages, categories)
    names = dict(Region.objects.values_list("id", "name"))
    town_index = appeals.columns.index("town_id")
    towns = sorted({names[row[town_index]] for row in appeals.rows if row[town_index] in names}) or ["首善街道"]
    source = {
        "directory": str(directory),
        "files": present,
        "messages": len(messages),
        "unknown_labels": unknown,
        "categories": len(pools),
    }
    return AppealTexts(pools, appeals.columns, names, towns, random.Random(seed), source)


# --- copying ------------------------------------------------------------------------------------


class Copier:
    """Rows of one round's copies: new ids, pointers remapped to the same round, dates shifted."""

    def __init__(self, tables: dict[str, Table], plans: dict[bool, dict[str, list[int]]], rewrite=None):
        from django.contrib.contenttypes.models import ContentType

        self.tables = tables
        self.rewrite = rewrite or {}  # label → callable(row) changing a copy in place (the appeals' texts)
        self.plans = plans  # live round? → label → template positions
        self.n = {label: len(t.ids) for label, t in tables.items()}
        self.kept = {
            live: {label: {tables[label].ids[p] for p in positions} for label, positions in plan.items()}
            for live, plan in plans.items()
        }
        self.type_label = {}
        for ct in ContentType.objects.all():
            for label in tables:
                if label.lower() == f"{ct.app_label}.{ct.model}":
                    self.type_label[ct.pk] = label

    def clone_id(self, label: str, template_id: int, round_no: int) -> int:
        table = self.tables[label]
        return table.base + round_no * self.n[label] + table.position[template_id]

    def rows(self, label: str, round_no: int, weeks: int, live: bool, roots: frozenset):
        table = self.tables[label]
        shift = dt.timedelta(weeks=weeks)
        pk_index = table.columns.index(table.model._meta.pk.column)
        remap = [(table.columns.index(c), target) for c, target in table.remap.items()]
        shifts = [table.columns.index(c) for c in table.shift] if weeks else []
        uniques = [(table.columns.index(c), n) for c, n in table.unique_text.items()]
        owner = None
        if table.owner:
            owner = (table.columns.index(table.owner[0]), table.columns.index(table.owner[1]))
        kept = self.kept[live]
        rewrite = self.rewrite.get(label)
        for position in self.plans[live][label]:
            template_id = table.ids[position]
            if table.root_of[template_id][0] not in roots:
                continue
            row = list(table.rows[position])
            new_id = table.base + round_no * self.n[label] + position
            row[pk_index] = new_id
            for index, target in remap:
                if row[index] is not None:
                    row[index] = self.clone_id(target, row[index], round_no)
            for index in shifts:
                if row[index] is not None:
                    row[index] = row[index] - shift
            for index, length in uniques:
                if row[index]:  # a blank stays blank (conditional constraints leave it free)
                    row[index] = f"G{new_id:0{min(12, length - 1)}d}"
            if owner and row[owner[0]] is not None and row[owner[1]] is not None:
                owner_label = self.type_label.get(row[owner[0]])
                if owner_label:
                    if row[owner[1]] in kept[owner_label]:
                        row[owner[1]] = self.clone_id(owner_label, row[owner[1]], round_no)
                    else:
                        row[owner[0]] = row[owner[1]] = None
            if rewrite is not None:
                rewrite(row)
            yield row

    def chunk_rows(self, label: str, chunk):
        """The copies of ``label`` in every round of ``chunk`` ((round number, (weeks, live, roots)) pairs)."""
        for round_no, (weeks, live, roots) in chunk:
            yield from self.rows(label, round_no, weeks, live, roots)


# --- writing: one transaction per chunk of rounds, the same rows on either engine -----------------

SQLITE_BATCH = 5_000  # rows per executemany


def write_copy(table: Table, rows) -> int:
    """PostgreSQL: one COPY of the rows into the table; returns how many."""
    from django.db import connection

    n = 0
    columns = ", ".join(f'"{c}"' for c in table.columns)
    sql = f'COPY "{table.model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.connection.cursor() as pg, pg.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def write_batches(table: Table, rows) -> int:
    """SQLite (no COPY): the rows by ``executemany`` in batches of SQLITE_BATCH, inside the caller's transaction."""
    from itertools import islice

    from django.db import connection

    n = 0
    columns = ", ".join(f'"{c}"' for c in table.columns)
    marks = ", ".join("?" * len(table.columns))
    sql = f'INSERT INTO "{table.model._meta.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608
    raw = connection.connection  # the sqlite3 connection: Django's adapters (dates, decimals) apply
    rows = iter(rows)
    while batch := list(islice(rows, SQLITE_BATCH)):
        raw.executemany(sql, batch)
        n += len(batch)
    return n


# --- PostgreSQL bulk load: secondary indexes, foreign keys, the raw COPY baseline ----------------

INDEX_FILE = ROOT / "bench" / "results" / "dropped-indexes-{name}.sql"


def index_snapshot(cursor, db_tables: list[str]) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) ORDER BY tablename, indexname",
        [db_tables],
    )
    return [tuple(row) for row in cursor.fetchall()]


def secondary_indexes(cursor, db_tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index, definition) of the indexes a bulk load may drop and rebuild: neither primary nor
    unique (unique ones stay, they are constraints on the copies' new values), backing no constraint."""
    cursor.execute(
        "SELECT t.relname, x.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY t.relname, x.relname",
        [db_tables],
    )
    return [tuple(row) for row in cursor.fetchall()]


def django_index_sql(models_: list) -> dict[str, str]:
    """Index name → the SQL Django creates it with (what the migrations ran: field and FK indexes,
    ``Meta.indexes`` with their conditions and opclasses). A definition read back from the catalogue
    (``pg_get_indexdef``) may differ from it in casts when parsed again, and then so would the rebuilt
    partial index's predicate; only indexes found here are dropped, and rebuilt from this SQL."""
    from django.db import connection

    sql = {}
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        for model in models_:
            for statement in editor._model_indexes_sql(model):
                name = statement.parts.get("name") if hasattr(statement, "parts") else None
                if name is not None:
                    sql[str(name).strip('"')] = str(statement)
    return sql


def restore_indexes(cursor, path: Path, quiet: bool) -> int:
    """Rebuild the indexes a load dropped (its file of definitions), then remove the file."""
    if not path.exists():
        return 0
    from django.db import connection

    statements = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if connection.in_atomic_block:  # a caller's transaction (a test): its rows' key checks first, or no index
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for statement in statements:
        name = statement.split(" ON ", 1)[0].split()[-1].strip('"')  # CREATE [UNIQUE] INDEX name ON …
        cursor.execute(
            "SELECT 1 FROM pg_class WHERE relname = %s AND relnamespace = current_schema()::regnamespace", [name]
        )
        if cursor.fetchone() is None:
            cursor.execute(statement)
            if not quiet:
                print(f"  重建索引 {name}", file=sys.stderr)
    cursor.execute("RESET maintenance_work_mem")
    path.unlink()
    return len(statements)


def foreign_key_orphans(cursor, table: Table, first_id: int) -> list[str]:
    """The foreign keys of ``table``'s rows from ``first_id`` on that point at no row (one anti-join each)."""
    from django.db import models

    bad = []
    db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
    for f in table.model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey) or not f.db_constraint:
            continue
        target = f.related_model._meta.db_table
        target_column = f.target_field.column
        cursor.execute(
            f'SELECT 1 FROM "{db_table}" c WHERE c."{pk}" >= %s AND c."{f.column}" IS NOT NULL '  # noqa: S608
            f'AND NOT EXISTS (SELECT 1 FROM "{target}" p WHERE p."{target_column}" = c."{f.column}") LIMIT 1',
            [first_id],
        )
        if cursor.fetchone():
            bad.append(f"{db_table}.{f.column}")
    return bad


def raw_copy_baseline(tables: dict[str, Table]) -> dict:
    """The same rows (every copy just written) COPYed again, through a second connection, into scratch
    tables of the same columns with no index, constraint or trigger (``CREATE TABLE … (LIKE …)``); the
    rate of that write is the raw COPY rate of this server now. Scratch tables dropped after."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    reader = psycopg.connect(**params, autocommit=True)
    rows = 0
    seconds = 0.0
    try:
        with connection.cursor() as cursor:
            for i, table in enumerate(tables.values()):
                db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
                scratch = f"bench_scratch_{i}"
                cursor.execute(f'DROP TABLE IF EXISTS "{scratch}"')
                cursor.execute(f'CREATE TABLE "{scratch}" (LIKE "{db_table}")')
                columns = ", ".join(f'"{c}"' for c in table.columns)
                source = f'COPY (SELECT {columns} FROM "{db_table}" WHERE "{pk}" >= {int(table.base)}) TO STDOUT'
                chunks = []
                with reader.cursor() as out, out.copy(source) as copy_out:
                    chunks = [bytes(block) for block in copy_out]
                started = time.perf_counter()
                with connection.connection.cursor() as pg, pg.copy(f'COPY "{scratch}" ({columns}) FROM STDIN') as copy:
                    for block in chunks:
                        copy.write(block)
                seconds += time.perf_counter() - started
                cursor.execute(f'SELECT count(*) FROM "{scratch}"')
                rows += cursor.fetchone()[0]
                cursor.execute(f'DROP TABLE "{scratch}"')
    finally:
        reader.close()
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / max(seconds, 1e-9))}


def table_sizes(tables: dict[str, Table]) -> dict[str, dict]:
    """Rows and bytes (with indexes and TOAST) of each copied table, and bytes per row."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            db_table = table.model._meta.db_table
            cursor.execute(f'SELECT count(*), pg_total_relation_size(\'"{db_table}"\') FROM "{db_table}"')  # noqa: S608
            n, size = cursor.fetchone()
            sizes[label] = {"rows": n, "bytes": size, "bytes_per_row": round(size / n) if n else None}
    return sizes


def generate(args) -> dict:
    from django.db import connection, transaction
    from tqdm import tqdm

    rng = random.Random(args.seed)
    models = copied_models()
    labels = {_label(m) for m in models}
    tables = {_label(m): describe(m, labels) for m in models}
    bounds = template_bounds(tables)
    with connection.cursor() as cursor:
        load_templates(tables, cursor, bounds)
    assign_roots(tables)
    live_roots = open_roots(tables)
    templates = {label: len(tables[label].ids) for label in ROOT_MODELS}
    plans = {True: eligible(tables, set()), False: eligible(tables, live_roots)}
    per_round = {live: {label: len(plans[live][label]) for label in ROOT_MODELS} for live in (True, False)}
    want = {"cases.Case": args.cases, "hotline.Appeal": args.appeals}
    for label in ROOT_MODELS:
        if want[label] > 0 and not per_round[False][label]:
            raise SystemExit(f"no finished {label} to copy ({templates}): load templates first (manage.py demo)")
    texts = appeal_texts(args, tables["hotline.Appeal"], args.seed + 1) if args.appeal_texts is not None else None
    copier = Copier(tables, plans, rewrite={"hotline.Appeal": texts} if texts else None)

    # ids of the copies start past everything there is
    with connection.cursor() as cursor:
        for table in tables.values():
            pk = table.model._meta.pk.column
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table.model._meta.db_table}"')
            table.base = cursor.fetchone()[0] + 1

    # rounds, each shifted back a random whole number of weeks; a share unshifted (live) carries the
    # open work; a root model stops being copied when it has reached its number
    rounds: list[tuple[int, bool, frozenset]] = []
    made = dict.fromkeys(ROOT_MODELS, 0)
    while any(made[label] < want[label] for label in ROOT_MODELS):
        live = rng.random() < args.live_share
        roots = frozenset(label for label in ROOT_MODELS if made[label] < want[label])
        rounds.append((0 if live else rng.randint(1, args.weeks), live, roots))
        for label in roots:
            made[label] += per_round[live][label]
    postgres = connection.vendor == "postgresql"
    # the rows each table will get: its rows per round by root kind, summed over the rounds
    by_root = {
        live: {label: Counter(t.root_of[t.ids[p]][0] for p in plans[live][label]) for label, t in tables.items()}
        for live in (True, False)
    }
    expected = {
        label: sum(by_root[live][label][root] for _, live, roots in rounds for root in roots) for label in tables
    }
    dropped, index_seconds, before = [], 0.0, None
    index_file = Path(str(INDEX_FILE).format(name=connection.settings_dict["NAME"]))
    if postgres:
        with connection.cursor() as cursor:
            restore_indexes(cursor, index_file, args.quiet)  # a load interrupted before its rebuild
            if not args.as_before:
                cursor.execute("SET synchronous_commit = off")  # a crash may lose the last chunk: whole rounds
            db_tables = [t.model._meta.db_table for t in tables.values()]
            before = index_snapshot(cursor, db_tables)
            if args.drop_indexes != "never" and not args.as_before:
                grows = {
                    t.model._meta.db_table
                    for label, t in tables.items()
                    if args.drop_indexes == "always" or expected[label] >= max(1, t.base - 1)
                }
                known = django_index_sql([t.model for t in tables.values()])
                dropped = [
                    (table, name, known[name])
                    for table, name, _ in secondary_indexes(cursor, db_tables)
                    if table in grows and name in known
                ]
            if dropped:
                index_file.parent.mkdir(parents=True, exist_ok=True)
                index_file.write_text("".join(f"{row[2]};\n" for row in dropped), encoding="utf-8")
                outer = connection.in_atomic_block
                with transaction.atomic():
                    if outer:  # a caller's transaction (a test): its pending key checks first
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    for _, name, _ in dropped:
                        cursor.execute(f'DROP INDEX "{name}"')

    in_database = None
    if args.in_database:
        if not postgres:
            raise SystemExit("--in-database: PostgreSQL only")
        from bench.gen.in_database import InDatabaseCopier

        in_database = InDatabaseCopier(tables, plans, ROOT_MODELS, texts, (OPENINGS, CLOSINGS))
        with connection.cursor() as cursor:
            in_database.setup(cursor, rounds)

    written = defaultdict(int)
    bar = tqdm(total=sum(made.values()), unit="件", desc="生成办件与诉求", file=sys.stderr, disable=args.quiet or None)
    per_chunk = max(1, args.chunk // max(1, sum(per_round[False].values())))
    write = write_copy if postgres else write_batches
    started = time.perf_counter()
    numbered = list(enumerate(rounds))
    for first in range(0, len(numbered), per_chunk):
        chunk = numbered[first : first + per_chunk]
        # foreign keys are checked at commit (deferred on both engines), so the order of the tables is free
        with transaction.atomic():
            if postgres and args.trust_keys:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            for label, table in tables.items():
                if in_database is not None:
                    with connection.cursor() as cursor:
                        written[label] += in_database.insert(cursor, label, chunk)
                else:
                    written[label] += write(table, copier.chunk_rows(label, chunk))
            if postgres and args.trust_keys:
                with connection.cursor() as cursor:
                    orphans = [
                        bad
                        for label, table in tables.items()
                        for bad in foreign_key_orphans(cursor, table, table.base + chunk[0][0] * copier.n[label])
                    ]
                if orphans:
                    raise RuntimeError(f"generated rows point at no row: {', '.join(orphans)}")
        bar.update(sum(per_round[live][label] for _, (_, live, roots) in chunk for label in roots))
    bar.close()
    load_seconds = time.perf_counter() - started
    if in_database is not None:
        with connection.cursor() as cursor:
            in_database.teardown(cursor)
        if texts is not None:
            texts.rewritten, texts.kept = in_database.rewritten, in_database.kept_texts

    if dropped:
        started_index = time.perf_counter()
        with connection.cursor() as cursor:
            restore_indexes(cursor, index_file, args.quiet)
            after = index_snapshot(cursor, [t.model._meta.db_table for t in tables.values()])
        index_seconds = time.perf_counter() - started_index
        if after != before:
            raise RuntimeError(f"indexes after the rebuild differ from before: {sorted(set(before) ^ set(after))}")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

    with connection.cursor() as cursor:
        for table in tables.values():
            db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
            if connection.vendor == "postgresql":  # SQLite moves an AUTOINCREMENT past an explicit id itself
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{db_table}\"', '{pk}'), "
                    f'GREATEST((SELECT COALESCE(MAX("{pk}"), 1) FROM "{db_table}"), 1))'
                )
            cursor.execute(f'ANALYZE "{db_table}"')
    return {
        "templates": templates,
        "rounds": len(rounds),
        "live_rounds": sum(1 for _, live, _ in rounds if live),
        "written": dict(written),
        "load_seconds": round(load_seconds, 1),
        "rows_per_s": round(sum(written.values()) / max(load_seconds, 1e-9)),
        "indexes_rebuilt": len(dropped),
        "index_seconds": round(index_seconds, 1),
        "appeal_texts": texts.summary() if texts else None,
        "tables": tables,
    }


def rebuild_rollups(quiet: bool) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("measures", "rebuild", stdout=sys.stderr if not quiet else open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - started


def record(summary: dict, args) -> None:
    from django.db import transaction

    from yiwang.core.audit import audit_record

    with transaction.atomic():
        audit_record(
            actor=None,
            action="bench.generated",
            details={
                "cases": args.cases,
                "appeals": args.appeals,
                "weeks": args.weeks,
                "seed": args.seed,
                "templates": summary["templates"],
                "rounds": summary["rounds"],
                "written": summary["written"],
                "appeal_texts": summary.get("appeal_texts"),
            },
        )


def main(argv=None) -> dict:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection

    summary = generate(args)
    tables = summary.pop("tables")
    if not args.no_rebuild:
        summary["rebuild_seconds"] = round(rebuild_rollups(args.quiet), 1)
    record(summary, args)
    if args.baseline and connection.vendor == "postgresql":
        summary["baseline"] = raw_copy_baseline(tables)
        summary["sizes"] = table_sizes(tables)
    if not args.quiet:
        print(f"模板：{summary['templates']}；轮次 {summary['rounds']}（当前 {summary['live_rounds']}）")
        for label, n in sorted(summary["written"].items()):
            print(f"  {label:32} {n:>12,}")
        if summary.get("appeal_texts"):
            t = summary["appeal_texts"]
            print(
                f"诉求文本：真实留言 {t['messages']:,} 条（{'、'.join(t['files'])}）→ {t['rewritten']:,} 件副本；"
                f"沿用模板文本 {t['kept']:,} 件（类别无对应留言）"
            )
        print(
            f"写入 {summary['load_seconds']} s（{summary['rows_per_s']:,} 行/秒，{connection.vendor}）；"
            f"重建索引 {summary['indexes_rebuilt']} 个 {summary['index_seconds']} s；"
            f"重算统计 {summary.get('rebuild_seconds', '-')} s（负载 {' '.join(f'{x:.2f}' for x in os.getloadavg())}）"
        )
        if summary.get("baseline"):
            b = summary["baseline"]
            total = summary["load_seconds"] + summary["index_seconds"]
            rate = sum(summary["written"].values()) / max(total, 1e-9)
            print(
                f"基线：同样 {b['rows']:,} 行 COPY 进无索引的临时表 {b['seconds']} s（{b['rows_per_s']:,} 行/秒）；"
                f"生成含重建索引 {rate:,.0f} 行/秒 = 基线的 {rate / max(b['rows_per_s'], 1):.1%}"
            )
            for label, size in sorted(summary["sizes"].items(), key=lambda kv: -kv[1]["bytes"]):
                if size["rows"]:
                    print(
                        f"  {label:32} {size['rows']:>12,} 行 {size['bytes'] / 2**20:>10,.1f} MB {size['bytes_per_row']:>8,} B/行"
                    )
    return summary


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    main()
