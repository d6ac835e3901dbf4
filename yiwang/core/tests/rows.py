"""Many rows for the long-list tests, copied from one saved row: more than a list once showed, in one insert."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def bulk_copies(template, numbers: Iterable[int], each: Callable[[object, int], None], **fields) -> list:
    """A copy of the saved row ``template`` for each of ``numbers``, written in one ``bulk_create``:
    ``each(row, i)`` gives copy ``i`` what makes it its own (a unique number, a later time), then
    ``fields`` are set on every copy."""
    model = type(template)
    rows = []
    for i in numbers:
        row = model.objects.get(pk=template.pk)
        row.pk = None
        each(row, i)
        for field, value in fields.items():
            setattr(row, field, value)
        rows.append(row)
    return model.objects.bulk_create(rows)


def item_copies(template, start: int, n: int, **fields) -> list:
    """``n`` copies of the catalog item ``template`` coded 610326-ZZ-0000… and named after it with their
    number, so they sort after it and in number order."""

    def each(row, i):
        row.code, row.name = f"610326-ZZ-{i:04d}", f"{template.name}{i:04d}"

    return bulk_copies(template, range(start, start + n), each, **fields)
