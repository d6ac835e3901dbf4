"""What share of Yiwang's queries would stay on one shard of a Citus cluster distributed by county.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db with the demo> \\
        .venv/bin/python deploy/citus/shard_locality.py [--json out.json]

A realistic request mix (public lookups, applicants, window clerks, department handlers, the 12345
dispatcher, leaders' dashboards, and API submissions of an application and an appeal) runs through Django's
test client against the given database; every SQL statement is captured with its parameters and classified:

- ``reference``  — touches only reference tables (org, catalog, workdays, categories…: replicated to every
  node in Citus), so any one node answers it;
- ``one-county`` — touches distributed tables and its WHERE pins them to one county: an equality with a
  literal or an IN-list on a region column whose regions all lie in one county (a join of two tables' columns
  names no county), or a region-path prefix of one county; or an INSERT into a table that carries its region;
- ``own-key``    — the per-user tables (inbox, accounts, idempotency records) by their own key;
- ``by-key``     — touches distributed tables through a primary key, number or code only: Citus cannot
  route it until the code passes the row's county along (the region is on the row the caller already has);
- ``no-region-column`` — an INSERT into a table that does not carry its region;
- ``fan-out``    — anything else on distributed tables: it runs on every shard.

The shard key is the county (区县) code: a county is where applications are accepted and appeals dispatched,
its dashboards are the common ones, and a province of ~100 counties spreads evenly over a few dozen nodes.
Transaction control (BEGIN, SAVEPOINT…) is not counted. The mix's weights are the county's estimate
(public lookups are most of the traffic); the per-statement and per-request shares are printed both ways.
"""

import argparse
import collections
import json
import os
import re
import sys
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from yiwang.org.models import Region, User  # noqa: E402

# Small, slowly changing tables: Citus reference tables (a copy on every node).
REFERENCE_PREFIXES = ("org_", "catalog_", "workdays_calendar", "django_", "auth_", "licences_licencetype",
                      "licences_signingkey", "inspections_inspectionitem", "policies_policy", "policies_industry",
                      "supervision_", "hotline_category", "hotline_knowledgeentry", "hotline_routingmodel",
                      "credit_loanproduct")  # fmt: skip
# Columns that name a place: a region, or a department or hall (each belongs to one county's region).
REGION_COLUMNS = ("region_id", "town_id", "village_id", "region_code", "county_code", "department_id", "hall_id",
                  "pickup_hall_id")  # fmt: skip
# Tables with no place of their own, distributed by their own lookup key (not colocated with the county):
# a statement that names that key goes to one shard.
OWN_KEY = {"core_inboxmessage": "user_id", "accounts_applicantaccount": "user_id", "accounts_signincode": "phone_hash",
           "core_idempotencyrecord": "key", "django_session": "session_key", "org_loginthrottle": "key"}  # fmt: skip
INSERT = re.compile(r'^\s*INSERT INTO "(\w+)"', re.IGNORECASE)
TABLE = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)
CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET|SHOW)\b", re.IGNORECASE)
# A region column equal to a literal (a number or a quoted code) — not a join condition such as
# ``"cases_case"."pickup_hall_id" = T6."id"``, whose right side is another table's column.
REGION_EQ = re.compile(r'"(?:\w+)"\."(' + "|".join(REGION_COLUMNS) + r")\"\s*=\s*'?([\w]+)'?(?![\w.])")
REGION_IN = re.compile(r'"(?:\w+)"\."(' + "|".join(REGION_COLUMNS) + r")\"\s+IN\s+\(([\d',\s]+)\)")
PATH_LIKE = re.compile(r"\"path\"(?:::text)?\s+(?:I?LIKE)\s+'([\d/]+)/?%'")
BY_KEY = re.compile(r'"(?:\w+)"\."(id|number|code|case_id|appeal_id|key|stream_id|object_id)"\s*(?:=|IN)\s')


def _regioned_tables() -> set[str]:
    from django.apps import apps

    tables = set()
    for model in apps.get_models():
        names = {f.column for f in model._meta.concrete_fields}
        if names & {"region_id", "region_code", "county_code"}:
            tables.add(model._meta.db_table)
    return tables


REGIONED = _regioned_tables()


def _is_reference(table: str) -> bool:
    return table.startswith(REFERENCE_PREFIXES)


class Counties:
    """Region id or code → the county it lies in (None above county level)."""

    def __init__(self):
        from yiwang.org.models import Department, ServiceHall

        rows = list(Region.objects.values_list("id", "code", "path"))
        self.by_id, self.by_code = {}, {}
        for pk, code, path in rows:
            parts = [p for p in path.split("/") if p]
            county = parts[2] if len(parts) >= 3 else None
            self.by_id[str(pk)], self.by_code[code] = county, county
        self.by_department = {
            str(pk): self.by_id.get(str(r)) for pk, r in Department.objects.values_list("id", "region")
        }
        self.by_hall = {str(pk): self.by_id.get(str(r)) for pk, r in ServiceHall.objects.values_list("id", "region")}

    def of(self, column: str, value: str) -> str | None:
        value = value.strip().strip("'")
        if column in ("region_code", "county_code"):
            return self.by_code.get(value)
        if column == "department_id":
            return self.by_department.get(value)
        if column in ("hall_id", "pickup_hall_id"):
            return self.by_hall.get(value)
        return self.by_id.get(value)


def classify(sql: str, counties: Counties) -> str | None:
    if CONTROL.match(sql):
        return None
    tables = set(TABLE.findall(sql))
    if not tables:
        return None
    distributed = {t for t in tables if not _is_reference(t)}
    if not distributed:
        return "reference"
    if distributed <= set(OWN_KEY) and all(f'"{t}"."{OWN_KEY[t]}" = ' in sql or INSERT.match(sql) for t in distributed):
        return "own-key"
    insert = INSERT.match(sql)
    if insert:
        # One row, placed by the value of its region column — if the table has one.
        return "one-county" if insert.group(1) in REGIONED else "no-region-column"
    found = set()
    for column, value in REGION_EQ.findall(sql):
        found.add(counties.of(column, value))
    for column, values in REGION_IN.findall(sql):
        found.update(counties.of(column, v) for v in values.split(",") if v.strip())
    for prefix in PATH_LIKE.findall(sql):
        parts = [p for p in prefix.split("/") if p]
        found.add(parts[2] if len(parts) >= 3 else None)
    if found and None not in found and len(found) == 1:
        return "one-county"
    if BY_KEY.search(sql):
        return "by-key"
    return "fan-out"


KINDS = ("reference", "one-county", "own-key", "by-key", "no-region-column", "fan-out")


def _requests():
    """(label, user, method, path, body, weight) — the mix, with objects taken from the database."""
    from yiwang.cases.models import Case
    from yiwang.catalog.models import ServiceItem
    from yiwang.hotline.models import Appeal

    case = Case.objects.exclude(verification_code="").order_by("-id").first()
    item = (
        ServiceItem.objects.filter(
            status="published", online_depth__gte=3, level="county", audience__in=("person", "both")
        )
        .order_by("code")
        .first()
    )
    appeal = next(a for a in Appeal.objects.order_by("-id")[:500] if a.contact_phone)  # encrypted: no SQL filter
    mine = Case.objects.filter(applicant_user__username="wangxiulan").order_by("-id").first()
    handler_case = Case.objects.filter(department__code="admin-approval").order_by("-id").first()
    counter_case = Case.objects.filter(hall__name="眉县政务服务中心").order_by("-id").first()
    phone4 = (appeal.contact_phone or "")[-4:] if appeal else ""
    return [
        ("home", None, "GET", "/", None, 10),
        ("catalog search", None, "GET", "/services/?q=营业执照", None, 8),
        ("service guide", None, "GET", f"/services/items/{item.code}/", None, 8),
        (
            "case status lookup",
            None,
            "GET",
            f"/cases/status/?number={case.number}&code={case.verification_code}",
            None,
            6,
        ),  # fmt: skip
        ("appeal tracking", None, "GET", f"/hotline/track/?code={appeal.code}&phone_last4={phone4}", None, 6),
        ("public appeals", None, "GET", "/hotline/public/", None, 4),
        ("ratings public", None, "GET", "/ratings/", None, 2),
        ("credit public", None, "GET", "/credit/", None, 2),
        ("my cases", "wangxiulan", "GET", "/cases/mine/", None, 5),
        ("my case", "wangxiulan", "GET", f"/cases/mine/{mine.number}/", None, 5) if mine else None,
        (
            "submit appeal (API)",
            "wangxiulan",
            "POST",
            "/api/hotline/appeals",
            {
                "channel": "api",
                "kind": "complaint",
                "title": "路灯不亮",
                "content": "首善街道东关社区路灯连续三晚不亮。",
                "address": "眉县首善街道东关社区",
                "confirm_not_emergency": True,
                "town_code": "610326001",
                "contact_name": "王秀兰",
                "contact_phone": "13891712345",
            },
            4,
        ),  # fmt: skip
        (
            "submit application (API)",
            "wangxiulan",
            "POST",
            "/api/cases/cases",
            {
                "item_code": item.code,
                "applicant": {
                    "kind": "person",
                    "name": "王秀兰",
                    "id_number": "61032619680312042X",
                    "phone": "13891712345",
                },
                "form_data": {f["key"]: "眉县首善街道东关社区" for f in item.form_fields if f.get("required")},
            },
            3,
        ),  # fmt: skip
        ("workbench (clerk)", "liufang", "GET", "/workbench/", None, 3),
        ("counter", "liufang", "GET", "/cases/counter/", None, 3),
        ("counter case", "liufang", "GET", f"/cases/counter/case/{counter_case.number}/", None, 3)
        if counter_case
        else None,
        ("handler queue", "zhoumin", "GET", "/cases/handling/", None, 4),
        ("handler case", "zhoumin", "GET", f"/cases/handling/case/{handler_case.number}/", None, 4)
        if handler_case
        else None,
        ("dispatch queue", "guoting", "GET", "/hotline/staff/dispatch/", None, 4),
        ("hotline handler queue", "wugang", "GET", "/hotline/staff/queue/", None, 3),
        ("cases leader page", "luozhiqiang", "GET", "/cases/leader/", None, 1),
        ("hotline dashboard", "luozhiqiang", "GET", "/hotline/staff/dashboard/", None, 1),
        ("supervision dashboard", "luozhiqiang", "GET", "/supervision/dashboard/", None, 1),
        ("ratings targets", "gaojie", "GET", "/ratings/supervision/targets/", None, 1),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--show", choices=KINDS, help="print such SQL")
    args = parser.parse_args()
    counties = Counties()
    per_kind = collections.Counter()
    per_request = []
    weighted = collections.Counter()
    shown = 0
    for spec in filter(None, _requests()):
        label, username, method, path, body, weight = spec
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as captured:
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(
                    path, data=json.dumps(body), content_type="application/json",
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )  # fmt: skip
        kinds = collections.Counter()
        for query in captured.captured_queries:
            kind = classify(query["sql"], counties)
            if kind:
                kinds[kind] += 1
                if args.show == kind and shown < 40:
                    shown += 1
                    print(f"  [{label}] {query['sql'][:300]} … {query['sql'][-400:]}")
        per_kind.update(kinds)
        request_local = not (kinds["fan-out"] or kinds["by-key"] or kinds["no-region-column"])
        request_routable = not kinds["fan-out"]
        per_request.append((label, response.status_code, dict(kinds), request_local, request_routable, weight))
        weighted["all"] += weight
        weighted["local"] += weight if request_local else 0
        weighted["routable"] += weight if request_routable else 0

    total = sum(per_kind.values())
    print(f"{'request':28s} {'status':>6s} {'ref':>5s} {'county':>6s} {'own':>4s} {'by-key':>6s} {'no-reg':>6s} "
          f"{'fan-out':>7s}  one shard?")  # fmt: skip
    for label, status, kinds, local, routable, _weight in per_request:
        verdict = "yes" if local else ("with region passed" if routable else "no")
        print(f"{label:28s} {status:6d} {kinds.get('reference', 0):5d} {kinds.get('one-county', 0):6d} "
              f"{kinds.get('own-key', 0):4d} {kinds.get('by-key', 0):6d} {kinds.get('no-region-column', 0):6d} "
              f"{kinds.get('fan-out', 0):7d}  {verdict}")  # fmt: skip
    print()
    for kind in KINDS:
        print(f"{kind:17s} {per_kind[kind]:5d} statements  {per_kind[kind] / total:6.1%}")
    single = (per_kind["reference"] + per_kind["one-county"] + per_kind["own-key"]) / total
    routable = single + (per_kind["by-key"] + per_kind["no-region-column"]) / total
    print(f"statements on one shard today: {single:.1%}; once keys carry their county: {routable:.1%}")
    requests_local = sum(1 for r in per_request if r[3]) / len(per_request)
    requests_routable = sum(1 for r in per_request if r[4]) / len(per_request)
    print(f"requests wholly on one shard: {requests_local:.1%} today, {requests_routable:.1%} once keys carry "
          f"their county; weighted by the mix: {weighted['local'] / weighted['all']:.1%} and "
          f"{weighted['routable'] / weighted['all']:.1%}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "statements": dict(per_kind),
                    "requests": per_request,
                    "single_shard_statements": single,
                    "routable_statements": routable,
                },
                ensure_ascii=False,
                indent=1,
            )  # fmt: skip
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
