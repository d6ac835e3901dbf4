"""bench/generate.py on the test database's engine (SQLite in one CI stage, PostgreSQL in the other).

A few templates are written through the services (a withdrawn application, an open one, an appeal replied
and revisited, an open one); the generator copies them and the test reads what the database holds: as many
rows as it says it wrote, new unique numbers, pointers that resolve, the open copies' clocks owned by the
copies and running, shifted copies on the same weekday as their template, the roll-ups rebuilt over the
copies, the run audited once and the chain intact.
"""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Sum

from yiwang.cases import services as case_services
from yiwang.cases.models import OPEN_STATES as CASE_OPEN
from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import FORM, food_item, fresh_calendar, person, submitted_case  # noqa: F401
from yiwang.conftest import admin_user, citizen, dept_a, dept_b, dept_hotline, dispatcher, meixian  # noqa: F401
from yiwang.core.audit import audit_verify
from yiwang.core.models import AuditEvent
from yiwang.hotline import services as appeal_services
from yiwang.hotline.models import OPEN_STATES as APPEAL_OPEN
from yiwang.hotline.models import Appeal, Dispatch
from yiwang.hotline.tests.conftest import categories, make_appeal, operator  # noqa: F401
from yiwang.measures.models import MonthlyFact
from yiwang.workdays.models import Clock

BENCH = Path(__file__).resolve().parent.parent / "bench" / "generate.py"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_generate", None)


@pytest.fixture
def templates(citizen, person, food_item, submitted_case, make_appeal, operator, dept_a, categories):  # noqa: F811
    """Two applications (one withdrawn, one open) and two appeals (one closed after its revisit, one open)."""
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    done = case_services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case_services.case_withdraw(case=done, actor=citizen, reason="材料准备不全，撤回")
    handler = UserFactory(username="bench-handler")
    MembershipFactory(user=handler, role=Role.HANDLER, department=dept_a)
    closed = make_appeal()
    closed = appeal_services.appeal_dispatch(
        appeal=closed, department=dept_a, actor=operator, category=categories["roads"]
    )
    closed = appeal_services.appeal_sign_off(appeal=closed, actor=handler)
    appeal_services.appeal_reply(appeal=closed, content="已安排施工队于本周内修补坑洼路段，感谢反映。", actor=handler)
    closed.refresh_from_db()
    appeal_services.appeal_revisit(appeal=closed, resolved=True, satisfaction=5, actor=operator)
    waiting = make_appeal(
        title="首善街道东关社区路灯不亮", content="东关社区西巷路灯连续一周不亮，夜间出行不便，请尽快维修。"
    )
    appeal_services.appeal_dispatch(appeal=waiting, department=dept_a, actor=operator, category=categories["roads"])
    assert Case.objects.filter(state__in=CASE_OPEN).count() == 1
    assert Appeal.objects.filter(state__in=APPEAL_OPEN).count() == 1
    return {"cases": list(Case.objects.order_by("pk")), "appeals": list(Appeal.objects.order_by("pk"))}


def _foreign_keys_resolve() -> None:
    """Every foreign key of every row resolves (checked now, not at a commit the test never makes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.parametrize("mode", [[], ["--in-database"]], ids=["python", "in-database"])
def test_generated_history_is_consistent(generate, templates, mode):
    if mode and connection.vendor != "postgresql":
        pytest.skip("--in-database is PostgreSQL's")
    tables = {m._meta.label: m for m in generate.copied_models()}
    before = {label: model._default_manager.count() for label, model in tables.items()}
    case_ids = {c.pk for c in templates["cases"]}
    appeal_ids = {a.pk for a in templates["appeals"]}

    summary = generate.main(
        ["--cases", "12", "--appeals", "12", "--weeks", "8", "--live-share", "0.5", "--chunk", "4", "--seed", "7"]
        # whatever earlier tests left in the tables (the auto rule drops them only when the load doubles a table)
        + ["--drop-indexes", "always", "--quiet", *mode]
    )

    written = summary["written"]
    if connection.vendor == "postgresql":  # secondary indexes dropped for the load and rebuilt as they were
        assert summary["indexes_rebuilt"] > 0
    # as many rows as written, table by table, and at least the numbers asked for
    for label, model in tables.items():
        assert model._default_manager.count() == before[label] + written.get(label, 0), label
    assert written["cases.Case"] >= 12 and written["hotline.Appeal"] >= 12
    assert written["workdays.Clock"] > 0 and written["hotline.Reply"] > 0 and written["hotline.Revisit"] > 0
    _foreign_keys_resolve()

    # new unique texts
    numbers = list(Case.objects.values_list("number", flat=True))
    codes = list(Appeal.objects.values_list("code", flat=True))
    assert len(set(numbers)) == len(numbers) and len(set(codes)) == len(codes)

    # open work is copied only unshifted, and every open copy's running clock is its own
    copies = Case.objects.exclude(pk__in=case_ids)
    open_copies = list(copies.filter(state__in=CASE_OPEN))
    assert open_copies, "no live round at --live-share 0.5"
    case_type = ContentType.objects.get_for_model(Case)
    for case in open_copies:
        clock = Clock.objects.get(pk=case.intake_clock_id)
        assert clock.state == "running"
        assert (clock.content_type_id, clock.object_id) in {(case_type.pk, case.pk), (None, None)}
    open_template = next(c for c in templates["cases"] if c.state in CASE_OPEN)
    assert {c.submitted_at for c in open_copies} == {open_template.submitted_at}
    open_appeals = list(Appeal.objects.exclude(pk__in=appeal_ids).filter(state__in=APPEAL_OPEN))
    assert open_appeals
    template_clocks = set(Dispatch.objects.filter(appeal_id__in=appeal_ids).values_list("sign_off_clock_id", flat=True))
    for appeal in open_appeals:
        dispatch = Dispatch.objects.get(appeal=appeal)
        assert dispatch.sign_off_clock_id not in template_clocks
        assert dispatch.sign_off_clock.state == "running"

    # finished copies: unshifted (a live round) or whole weeks back within --weeks, so on the same weekday
    closed_template = next(c for c in templates["cases"] if c.state not in CASE_OPEN)
    weeks = set()
    for case in copies.exclude(state__in=CASE_OPEN):
        delta = closed_template.submitted_at - case.submitted_at
        assert delta.days % 7 == 0 and delta.seconds == 0 and delta.microseconds == 0 and 0 <= delta.days <= 8 * 7
        assert case.submitted_at.weekday() == closed_template.submitted_at.weekday()
        weeks.add(delta.days // 7)
    assert weeks - {0}, "no round shifted back"

    # roll-ups rebuilt over templates and copies
    applied = MonthlyFact.objects.filter(metric="cases.applied").aggregate(n=Sum("count"))["n"]
    assert applied == Case.objects.filter(parent__isnull=True).count() == len(case_ids) + written["cases.Case"]

    # one audited run; the chain still verifies
    event = AuditEvent.objects.get(action="bench.generated")
    assert event.details["written"] == written
    assert AuditEvent.objects.filter(action="bench.templates").count() == 1
    assert audit_verify().ok


def test_generation_without_finished_templates_is_refused(generate, db):
    with pytest.raises(SystemExit, match="no finished"):
        generate.main(["--cases", "5", "--appeals", "0", "--quiet"])
    assert Case.objects.count() == 0


MESSAGES = [
    ("A3区村道坑洼不平", "A3区某村村道坑洼严重，雨天积水，车辆难行。请尽快修补道路。村民出行十分不便！", "交通运输"),
    ("", "K1区乡间道路破损多处，路面坑洼，夜间没有路灯。希望相关部门尽快处理道路问题。", "交通运输"),
    ("道路施工占道", "A市B2区一段道路施工长期占道，围挡破损。道路两旁行人多，存在安全隐患。", "交通运输"),
    ("小区供暖不热", "小区供暖温度不达标，室内只有十几度。多次反映无果，请求帮助。", "城乡建设"),
]


def _copies(tables: dict) -> dict[str, list[tuple]]:
    """Every copied table's rows from its first copy's id on, in id order."""
    rows = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            pk = table.model._meta.pk.column
            columns = ", ".join(f'"{c}"' for c in table.columns)
            cursor.execute(
                f'SELECT {columns} FROM "{table.model._meta.db_table}" WHERE "{pk}" >= %s ORDER BY "{pk}"',  # noqa: S608
                [table.base],
            )
            rows[label] = [tuple(row) for row in cursor.fetchall()]
    return rows


def test_in_database_copies_equal_python_copies(generate, templates, tmp_path):
    """The same rounds copied by the Copier (rows built in Python, COPY) and by the server (INSERT … SELECT)
    give the same rows in every copied table; the appeals' texts, picked differently, both come from the
    messages of the copy's category."""
    if connection.vendor != "postgresql":
        pytest.skip("--in-database is PostgreSQL's")
    import csv

    from django.db import transaction

    with (tmp_path / generate.APPEAL_TEXT_TRAIN).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "body", "category"])
        writer.writerows([i, *message] for i, message in enumerate(MESSAGES))
    argv = ["--cases", "20", "--appeals", "20", "--weeks", "8", "--live-share", "0.3", "--chunk", "6"]
    argv += ["--seed", "11", "--drop-indexes", "never", "--quiet", "--appeal-texts", str(tmp_path)]
    results = {}
    for mode in ("python", "in-database"):
        with transaction.atomic():
            summary = generate.generate(generate.parse_args(argv + (["--in-database"] if mode != "python" else [])))
            tables = summary.pop("tables")
            results[mode] = (summary, _copies(tables))
            transaction.set_rollback(True)  # the next mode starts from the same templates

    python, in_database = results["python"], results["in-database"]
    assert python[0]["rounds"] == in_database[0]["rounds"] and python[0]["written"] == in_database[0]["written"]
    texts = python[0]["appeal_texts"]
    assert texts["rewritten"] > 0 and texts == in_database[0]["appeal_texts"]
    appeals = tables["hotline.Appeal"]
    text_columns = [appeals.columns.index(c) for c in ("title", "content", "pii_originals")]
    for label in tables:
        if label == "hotline.Appeal":
            continue
        assert python[1][label] == in_database[1][label], label
        assert len(python[1][label]) == python[0]["written"].get(label, 0), label

    def without_texts(row):
        return tuple(v for i, v in enumerate(row) if i not in text_columns)

    assert [without_texts(r) for r in python[1]["hotline.Appeal"]] == [
        without_texts(r) for r in in_database[1]["hotline.Appeal"]
    ]
    # texts: a message of the copy's category (交通运输 → rural roads), placed in the copy's own town
    from yiwang.org.models import Region

    names = dict(Region.objects.values_list("id", "name"))
    bodies = [generate.prepare_message(*m) for m in MESSAGES if m[2] == "交通运输"]
    others = [generate.prepare_message(*m).body for m in MESSAGES if m[2] != "交通运输"]
    title, content, originals = text_columns
    town, category = appeals.columns.index("town_id"), appeals.columns.index("category_id")
    road_category = templates["appeals"][0].category_id
    for mode in ("python", "in-database"):
        for row in results[mode][1]["hotline.Appeal"]:
            assert row[category] == road_category
            placed = [m.body.replace(generate.PLACE, names[row[town]]) for m in bodies]
            assert any(body in row[content] for body in placed), (mode, row[content])
            assert not any(other in row[content] for other in others)
            assert row[originals] is None
            assert 0 < len(row[title]) <= generate.APPEAL_TITLE_MAX
