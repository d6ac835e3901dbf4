"""The Copier: one round's copies built in Python."""

from __future__ import annotations

import datetime as dt

from .graph import Table

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
