"""PostgreSQL: the database builds the copies itself (``bench/generate.py --in-database``).

The Copier builds every copied row in Python and streams it by COPY; here the same rows are made by the
server. The template rows that some round copies go once into a temporary table per copied table, each
with what does not depend on the round, worked out in Python exactly as the Copier works it out: its
position, its root kind, whether a live and whether a history round copies it, for each pointer at a
copied model the target's ``base + position`` (by the same position maps), for a generic owner the same
offset or that the round clears the owner. The rounds go into one more temporary table (number, weeks,
live, which roots). Each chunk of rounds is then one ``INSERT … SELECT`` per table: the templates joined
with the chunk's rounds, each value computed as the Copier computes it — id ``base + round × n +
position``, pointer ``offset + round × n(target)``, dates ``weeks`` earlier, unique texts
``G{id:0Nd}``, the owner remapped or cleared — and the appeals' texts (``--appeal-texts``) picked by a
hash of the copy's id within its category's pool, with the same per-category logic as ``AppealTexts``.
"""

from __future__ import annotations

PLACE_SQL = "\x01"  # the appeal's town marker in the server's copy of the messages (text holds no NUL)
MASK63 = 9223372036854775807


def _h(expr: str, salt: int) -> str:
    """A non-negative deterministic hash of an id (PostgreSQL ≥ 11), one stream per salt."""
    return f"(hashint8extended(({expr})::bigint, {salt}) & {MASK63})"


class InDatabaseCopier:
    """Writes one chunk of rounds per table by ``INSERT … SELECT`` from temporary tables of the templates."""

    def __init__(self, tables: dict, plans: dict, root_models: tuple[str, ...], texts=None, phrases=((), ())):
        """``texts``: the AppealTexts of ``--appeal-texts`` (its pools and towns), else None; ``phrases``: its
        openings and closings."""
        from django.contrib.contenttypes.models import ContentType

        self.tables, self.plans, self.root_models, self.texts = tables, plans, root_models, texts
        self.openings, self.closings = (list(p) for p in phrases)
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
        self.index = {label: i for i, label in enumerate(tables)}
        self.rewritten = self.kept_texts = 0

    # --- temporary tables, once ------------------------------------------------------------------

    def setup(self, cursor, rounds: list[tuple[int, bool, frozenset]]) -> None:
        """The plan of every template row, the templates (one temporary table per copied table), the rounds
        and, with ``--appeal-texts``, the messages by category."""
        cursor.execute("DROP TABLE IF EXISTS gen_plan, gen_rounds, gen_msg, gen_pool")
        cursor.execute(
            "CREATE TEMP TABLE gen_plan (tbl int, id bigint, pos int, root smallint, live bool, hist bool, "
            "offs bigint[], o_mode smallint, o_live bigint, o_hist bigint, o_n bigint)"
        )
        self._copy(cursor, "gen_plan", self._plan_rows())
        cursor.execute("CREATE INDEX ON gen_plan (tbl, id)")
        cursor.execute("ANALYZE gen_plan")
        for label, table in self.tables.items():
            i = self.index[label]
            db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
            cursor.execute(f"DROP TABLE IF EXISTS gen_t_{i}")
            cursor.execute(
                f"CREATE TEMP TABLE gen_t_{i} AS SELECT p.pos AS _g_pos, p.root AS _g_root, p.live AS _g_live, "  # noqa: S608
                f"p.hist AS _g_hist, p.offs AS _g_offs, p.o_mode AS _g_omode, p.o_live AS _g_olive, "
                f'p.o_hist AS _g_ohist, p.o_n AS _g_on, t.* FROM "{db_table}" t '
                f'JOIN gen_plan p ON p.tbl = {i} AND p.id = t."{pk}" ORDER BY p.pos'
            )
            cursor.execute(f"ANALYZE gen_t_{i}")
        cursor.execute(
            "CREATE TEMP TABLE gen_rounds (round_no bigint PRIMARY KEY, weeks int, live bool, cases bool, appeals bool)"
        )
        cases, appeals = self.root_models
        self._copy(
            cursor,
            "gen_rounds",
            ([n, weeks, live, cases in roots, appeals in roots] for n, (weeks, live, roots) in enumerate(rounds)),
        )
        cursor.execute("ANALYZE gen_rounds")
        if self.texts is not None:
            self._setup_texts(cursor, rounds)

    def _plan_rows(self):
        for label, table in self.tables.items():
            i = self.index[label]
            live_positions, hist_positions = set(self.plans[True][label]), set(self.plans[False][label])
            remap = [(table.columns.index(c), target) for c, target in table.remap.items()]
            owner = None
            if table.owner:
                owner = (table.columns.index(table.owner[0]), table.columns.index(table.owner[1]))
            for position in sorted(live_positions | hist_positions):
                row = table.rows[position]
                template_id = table.ids[position]
                root = self.root_models.index(table.root_of[template_id][0])
                offs = [None if row[index] is None else self._offset(target, row[index]) for index, target in remap]
                o_mode, o_live, o_hist, o_n = 0, None, None, None
                if owner and row[owner[0]] is not None and row[owner[1]] is not None:
                    owner_label = self.type_label.get(row[owner[0]])
                    if owner_label:
                        # an offset per kind of round, or None: such a round clears the owner (not copied)
                        o_mode, o_n = 1, self.n[owner_label]
                        live_kept, hist_kept = (row[owner[1]] in self.kept[live][owner_label] for live in (True, False))
                        if live_kept or hist_kept:
                            offset = self._offset(owner_label, row[owner[1]])
                            o_live, o_hist = (offset if k else None for k in (live_kept, hist_kept))
                yield [
                    i,
                    template_id,
                    position,
                    root,
                    position in live_positions,
                    position in hist_positions,
                    "{" + ",".join("NULL" if v is None else str(v) for v in offs) + "}",
                    o_mode,
                    o_live,
                    o_hist,
                    o_n,
                ]

    def _offset(self, label: str, template_id: int) -> int:
        table = self.tables[label]
        return table.base + table.position[template_id]

    @staticmethod
    def _copy(cursor, name: str, rows) -> None:
        with cursor.connection.cursor() as pg, pg.copy(f"COPY {name} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def teardown(self, cursor) -> None:
        names = [f"gen_t_{i}" for i in self.index.values()]
        cursor.execute(f"DROP TABLE IF EXISTS gen_plan, gen_rounds, gen_msg, gen_pool, {', '.join(names)}")

    # --- one chunk ---------------------------------------------------------------------------------

    def select(self, label: str) -> str:
        """The copies of ``label`` in the rounds ``%(first)s``–``%(last)s``, column by column as the Copier
        makes them."""
        from django.db import models

        table = self.tables[label]
        i = self.index[label]
        fields = {f.column: f for f in table.model._meta.concrete_fields}
        pk = table.model._meta.pk.column
        new_id = f"({table.base} + r.round_no * {self.n[label]} + t._g_pos)"
        remap = {c: k for k, c in enumerate(table.remap, start=1)}
        owner_off = "(CASE WHEN r.live THEN t._g_olive ELSE t._g_ohist END)"
        exprs = []
        for c in table.columns:
            q = f't."{c}"'
            if c == pk:
                expr = new_id
            elif c in remap:
                expr = f"(t._g_offs[{remap[c]}] + r.round_no * {self.n[table.remap[c]]})"
            elif c in table.shift:
                if isinstance(fields[c], models.DateTimeField):
                    expr = f"({q} - r.weeks * interval '168 hours')"
                else:
                    expr = f"({q} - 7 * r.weeks)"
            elif c in table.unique_text:
                width = min(12, table.unique_text[c] - 1)
                expr = (
                    f"(CASE WHEN {q} IS NULL OR {q} = '' THEN {q} "
                    f"ELSE 'G' || lpad({new_id}::text, greatest({width}, length({new_id}::text)), '0') END)"
                )
            elif table.owner and c == table.owner[0]:
                expr = f"(CASE WHEN t._g_omode = 0 OR {owner_off} IS NOT NULL THEN {q} END)"
            elif table.owner and c == table.owner[1]:
                expr = f"(CASE WHEN t._g_omode = 0 THEN {q} ELSE {owner_off} + r.round_no * t._g_on END)"
            else:
                expr = q
            exprs.append(f'{expr} AS "{c}"')
        return (
            f"SELECT {', '.join(exprs)} FROM gen_rounds r JOIN gen_t_{i} t "  # noqa: S608
            "ON (CASE WHEN r.live THEN t._g_live ELSE t._g_hist END) "
            "AND (CASE t._g_root WHEN 0 THEN r.cases ELSE r.appeals END) "
            "WHERE r.round_no BETWEEN %(first)s AND %(last)s"
        )

    def insert(self, cursor, label: str, chunk) -> int:
        """Writes the copies of ``label`` in the rounds of ``chunk`` ((number, (weeks, live, roots)) pairs,
        consecutive); returns how many."""
        table = self.tables[label]
        columns = ", ".join(f'"{c}"' for c in table.columns)
        select = self.select(label)
        params = {"first": chunk[0][0], "last": chunk[-1][0]}
        if self.texts is not None and label == self.root_models[1]:
            select, extra = self._texts_select(select, table)
            params.update(extra)
        cursor.execute(f'INSERT INTO "{table.model._meta.db_table}" ({columns}) {select}', params)  # noqa: S608
        return cursor.rowcount

    # --- the appeals' texts ------------------------------------------------------------------------

    def _setup_texts(self, cursor, rounds) -> None:
        texts = self.texts
        cursor.execute("CREATE TEMP TABLE gen_msg (cat bigint, k int, title text, body text, tail text[])")
        cursor.execute("CREATE TEMP TABLE gen_pool (cat bigint PRIMARY KEY, size int)")

        def marked(text: str) -> str:
            if PLACE_SQL in text:
                raise ValueError("a message holds the town marker \\x01")
            return text.replace("\x00", PLACE_SQL)

        self._copy(
            cursor,
            "gen_msg",
            (
                [cat, k, marked(m.title), marked(m.body), list(map(marked, m.tail))]
                for cat, pool in texts.pools.items()
                for k, m in enumerate(pool)
            ),
        )
        self._copy(cursor, "gen_pool", ([cat, len(pool)] for cat, pool in texts.pools.items() if pool))
        cursor.execute("CREATE INDEX ON gen_msg (cat, k)")
        cursor.execute("ANALYZE gen_msg")
        cursor.execute("ANALYZE gen_pool")
        # rewritten and kept, as AppealTexts counts them: copies whose category has a pool or not
        label = self.root_models[1]
        table = self.tables[label]
        category = table.columns.index("category_id")
        with_pool = {
            live: sum(1 for p in self.plans[live][label] if texts.pools.get(table.rows[p][category]))
            for live in (True, False)
        }
        for _, live, roots in rounds:
            if label in roots:
                self.rewritten += with_pool[live]
                self.kept_texts += len(self.plans[live][label]) - with_pool[live]

    def _texts_select(self, select: str, table) -> tuple[str, dict]:
        """``select`` with the title, content and pii_originals of an appeal whose category has messages
        replaced as AppealTexts replaces them; each random pick a hash of the copy's id instead."""
        from yiwang.org.models import Region

        region = Region._meta.db_table
        pk = table.model._meta.pk.column
        nid = f'c."{pk}"'
        replaced = {"title", "content", "pii_originals"}
        day = f"((c.received_at - (1 + mod({_h(nid, 4)}, 30)::int) * interval '24 hours') AT TIME ZONE 'UTC')"
        date = f"(extract(month FROM {day})::int || '月' || extract(day FROM {day})::int || '日')"
        opening = (
            f"(CASE WHEN w.opening = '' THEN '' ELSE replace(replace(w.opening, '{{place}}', "
            f"w.town || COALESCE(vl.name, '')), '{{date}}', {date}) END)"
        )
        tail = (
            f"(CASE WHEN mod({_h(nid, 5)}, 2) = 0 AND cardinality(o.tail) > 0 "
            f"THEN o.tail[1 + mod({_h(nid, 7)}, cardinality(o.tail))::int] ELSE '' END)"
        )
        closing = f"(%(closings)s::text[])[1 + mod({_h(nid, 8)}, %(n_closings)s)::int]"
        title = f"COALESCE(NULLIF(m.title, ''), left(m.body, 10 + mod({_h(nid, 9)}, 11)::int))"
        exprs = {
            "title": f"(CASE WHEN p.cat IS NULL THEN c.title ELSE left(replace({title}, chr(1), w.town), 120) END)",
            "content": (
                f"(CASE WHEN p.cat IS NULL THEN c.content "
                f"ELSE replace({opening} || m.body || {tail} || {closing}, chr(1), w.town) END)"
            ),
            "pii_originals": "(CASE WHEN p.cat IS NULL THEN c.pii_originals END)",
        }
        columns = [exprs[c] if c in replaced else f'c."{c}"' for c in table.columns]
        sql = (
            f"SELECT {', '.join(columns)} FROM ({select}) c "  # noqa: S608
            "LEFT JOIN gen_pool p ON p.cat = c.category_id "
            f"LEFT JOIN gen_msg m ON m.cat = p.cat AND m.k = mod({_h(nid, 1)}, p.size)::int "
            f"LEFT JOIN gen_msg o ON o.cat = p.cat AND o.k = mod({_h(nid, 6)}, p.size)::int "
            f'LEFT JOIN "{region}" tn ON tn.id = c.town_id '
            f'LEFT JOIN "{region}" vl ON vl.id = c.village_id '
            "CROSS JOIN LATERAL (SELECT "
            f"COALESCE(NULLIF(tn.name, ''), (%(towns)s::text[])[1 + mod({_h(nid, 2)}, %(n_towns)s)::int]) AS town, "
            f"(%(openings)s::text[])[1 + mod({_h(nid, 3)}, %(n_openings)s)::int] AS opening) w"
        )
        params = {
            "towns": list(self.texts.towns),
            "n_towns": len(self.texts.towns),
            "openings": self.openings,
            "n_openings": len(self.openings),
            "closings": self.closings,
            "n_closings": len(self.closings),
        }
        return sql, params
