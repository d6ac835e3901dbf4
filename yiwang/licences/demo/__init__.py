"""Meixian demo for ``licences``: licence types for the demo's items, an e-licence for every approved
case of those items (issued on its decision day, as at approval), a few hundred older licences of
Meixian market entities, some revoked and some expired, and the use log.

Bulk, but through the app's own code: keys from ``signing_key_for``, numbers and SM2 signatures
exactly as ``licence_issue`` makes them, one audit event per licence (``audit_record_many``), expiry
by ``licences_expire``, revocations by ``licence_revoke``, roll-ups rebuilt by ``measures_rebuild``.
Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.cases.models import Case, CaseState, Decision
from yiwang.catalog.models import ServiceItem
from yiwang.core.audit import AuditEntry, audit_record_many
from yiwang.core.identifiers import is_valid_id_number, is_valid_uscc
from yiwang.measures.services import measures_rebuild
from yiwang.org.models import Department

from .. import measures
from ..lookup import case_licence_fields
from ..models import HolderKind, Licence, LicenceState, LicenceType, LicenceUse
from ..services import _snap, add_years, default_valid_until, licence_revoke, licences_expire, signing_key_for
from ..signing import canonical_bytes, canonical_dict, sm2_sign

RNG_SEED = 15

ADDRESS = {"key": "address", "label": "住所（经营场所）", "source": ["entity_address", "applicant_address"]}
SCOPE = {"key": "scope", "label": "经营范围", "source": "business_scope", "required": True}

# code, name, validity years (None = 长期), item name prefixes issuing it, fields
TYPES = [
    (
        "yyzz",
        "营业执照",
        None,
        ["有限责任公司设立登记", "个体工商户设立登记", "农民专业合作社设立登记"],
        [{"key": "entity_name", "label": "名称", "source": ["entity_name", "applicant"]}, SCOPE, ADDRESS],
    ),
    ("spjy", "食品经营许可证", 5, ["食品经营许可（新办）", "食品经营许可（延续）"], [SCOPE, ADDRESS]),
    ("spsc", "食品生产许可证", 5, ["食品生产许可（新办）", "食品生产许可（延续）"], [SCOPE, ADDRESS]),
    ("xcy", "小餐饮经营许可证", 3, ["小餐饮经营许可（新办）", "小餐饮经营许可（延续）"], [SCOPE, ADDRESS]),
    ("ggws", "公共场所卫生许可证", 4, ["公共场所卫生许可（新办）", "公共场所卫生许可（延续）"], [SCOPE, ADDRESS]),
    ("tzhy", "特种行业许可证", None, ["旅馆业特种行业许可证核发（新办）"], [SCOPE, ADDRESS]),
    ("ypls", "药品经营许可证", 5, ["药品零售企业经营许可（新办）", "药品零售企业经营许可（延续）"], [SCOPE, ADDRESS]),
    ("psxk", "城镇污水排入排水管网许可证", 5, ["城镇污水排入排水管网许可（新办）"], [SCOPE, ADDRESS]),
    (
        "qsxk",
        "取水许可证",
        5,
        ["取水许可"],
        [
            {"key": "water_source", "label": "水源类型", "required": True, "default": "地下水"},
            {"key": "annual_volume", "label": "年取水量（万立方米）", "required": True, "default": "2.5"},
            ADDRESS,
        ],
    ),
]

# Older licences of the credit register's market entities (before the platform): every entity holds
# its 营业执照 (issued on its establishment day, scope by industry); trades that need a permit hold it
# too, renewed every validity period (a few lapsed). Industry code prefix → business scope, permits
# (type, issuing department, scope).
INDUSTRIES = [
    ("A0159", "猕猴桃种植、收购、冷藏、销售", []),
    ("G5950", "果品冷藏、仓储服务；普通货物道路运输", []),
    ("H6210", "餐饮服务；农家乐住宿", [("xcy", "market-regulation", "小餐饮（热食类食品制售）")]),
    ("H6220", "小吃、面食制售", [("xcy", "market-regulation", "小餐饮（热食类食品制售）")]),
    ("F5211", "日用百货、预包装食品零售", [("spjy", "market-regulation", "预包装食品销售、散装食品销售")]),
    ("C2032", "木门窗加工、销售", []),
    ("C1512", "白酒生产、销售", [("spsc", "market-regulation", "白酒（固态法白酒）生产")]),
    ("C13", "果汁、果脯、猕猴桃干生产、销售", [("spsc", "market-regulation", "果汁、果脯、猕猴桃干生产")]),
    ("E47", "房屋建筑工程施工", []),
    ("F5166", "化肥、农药（不含危险化学品）批发零售", []),
    ("O8010", "理发、美容服务", [("ggws", "health", "美容美发")]),
    (
        "H6110",
        "住宿、餐饮、温泉沐浴服务",
        [("ggws", "health", "住宿、沐浴"), ("tzhy", "public-security", "旅馆业"), ("qsxk", "water-resources", "")],
    ),
]
# Without an industry code (no credit register): guessed from the name.
NAME_INDUSTRIES = [
    ("猕猴桃", "A0159"),
    ("果业", "A0159"),
    ("冷链", "G5950"),
    ("冷库", "G5950"),
    ("农家乐", "H6210"),
    ("面馆", "H6220"),
    ("小吃", "H6220"),
    ("超市", "F5211"),
    ("日杂", "F5211"),
    ("酒业", "C1512"),
    ("食品", "C13"),
    ("建筑", "E47"),
    ("建设", "E47"),
    ("农资", "F5166"),
    ("理发", "O8010"),
    ("酒店", "H6110"),
    ("宾馆", "H6110"),
]
GENERIC_SCOPE = "依法须经批准的项目，经相关部门批准后方可开展经营活动"
OLDER_ENTITIES = 180
LAPSED_SHARE = 0.12  # permits not renewed: expired in the register
REVOKED_COUNT = 6  # when no entity closed: trade permits given up by their holders
REVOKE_REASONS = ["持证人申请注销", "经营场所已变更，原证注销", "停止经营，许可事项终止"]
USE_PURPOSES = [
    ("pboc-meixian", "企业银行基本存款账户开立核验营业执照"),
    ("taxation", "新办纳税人涉税信息确认调用营业执照"),
    ("housing-provident-fund", "单位住房公积金缴存登记调用营业执照"),
    ("human-resources-social-security", "单位职工参保登记调用营业执照"),
    ("public-security", "印章刻制备案核验营业执照"),
]


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _types() -> dict[str, LicenceType]:
    """Licence types with the item codes (by the items' names in the demo catalog) that issue them."""
    items = list(ServiceItem.objects.values_list("code", "name"))
    result = {}
    for code, name, years, prefixes, fields in TYPES:
        codes = sorted(c for c, n in items if any(n.startswith(p) for p in prefixes))
        licence_type, created = LicenceType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "validity_years": years,
                "fields_schema": fields,
                "item_codes": codes,
                "result_names": [name],
            },
        )
        if not created and not licence_type.item_codes and codes:
            licence_type.item_codes = codes
            licence_type.save(update_fields=["item_codes"])
        result[code] = licence_type
    return result


def _sign_all(licences: list[Licence]) -> None:
    """Numbers and signatures exactly as ``licence_issue`` makes them, after the bulk insert."""
    for licence in licences:
        licence.number = (
            f"{licence.region.code}-{licence.licence_type.code.upper()}-{licence.issued_on.year}-{licence.pk:07d}"
        )
        key = licence.key
        licence.signature = sm2_sign(
            private_key=key.private_key, public_key=key.public_key, data=canonical_bytes(canonical_dict(licence))
        )
    Licence.objects.bulk_update(licences, ["number", "signature"], batch_size=500)


def _insert(rows: list[Licence]) -> list[Licence]:
    for i, row in enumerate(rows):
        row.number = f"tmp-demo-{i}-{random.getrandbits(48):012x}"
        row.signature = ""
    created = Licence.objects.bulk_create(rows, batch_size=500)
    _sign_all(created)
    audit_record_many(
        actor=None,
        action="licence.issued",
        entries=[AuditEntry(obj=lic, after=_snap(lic), details={"demo": True}) for lic in created],
    )
    return created


def _decided_on(case: Case) -> dt.date:
    return timezone.localdate(case.decided_at or case.submitted_at)


def _case_licences(types: dict[str, LicenceType], keys, now) -> list[Licence]:
    by_item: dict[str, LicenceType] = {}
    for licence_type in types.values():
        for code in licence_type.item_codes:
            by_item.setdefault(code, licence_type)
    approved = (
        Case.objects.filter(
            item__code__in=list(by_item),
            state__in=[CaseState.DECIDED_APPROVED, CaseState.DELIVERED],
            decision__outcome=Decision.Outcome.APPROVED,
        )
        .exclude(licences__isnull=False)
        .select_related("item", "department", "region", "applicant_user")
        .order_by("decided_at", "pk")
    )
    rows = []
    for case in approved.iterator(chunk_size=500):
        licence_type = by_item[case.item.code]
        uscc = (case.applicant_uscc or "").strip()
        id_number = (case.applicant_id_number or "").strip()
        if not (uscc and is_valid_uscc(uscc)) and not (id_number and is_valid_id_number(id_number)):
            continue
        issued_on = _decided_on(case)
        rows.append(
            Licence(
                licence_type=licence_type,
                holder_kind=HolderKind.ENTERPRISE if uscc else HolderKind.PERSON,
                holder_name=case.applicant_name,
                holder_id_number=None if uscc else id_number,
                holder_uscc=uscc,
                holder_user=case.applicant_user,
                fields=case_licence_fields(licence_type, case),
                issued_on=issued_on,
                valid_until=default_valid_until(licence_type, issued_on),
                department=case.department,
                region=case.region,
                case=case,
                state=LicenceState.VALID,
                key=keys(case.department),
                issued_by=None,
                created_at=case.decided_at or now,
            )
        )
    return _insert(rows) if rows else []


def _industry(code: str) -> tuple[str, list]:
    for prefix, scope, permits in INDUSTRIES:
        if code and code.startswith(prefix):
            return scope, permits
    return GENERIC_SCOPE, []


def _entities(rng: random.Random) -> list[dict]:
    """Meixian market entities: the credit register's (applicants of the demo's cases first, so that
    their later cases reuse the licences), else the enterprises that applied in the cases demo."""
    applicants = set(Case.objects.exclude(applicant_uscc="").values_list("applicant_uscc", flat=True).distinct())
    result = []
    try:
        from yiwang.credit.models import Entity

        rows = Entity.objects.order_by("pk").values(
            "uscc", "name", "address", "industry_code", "established_on", "status"
        )
        entities = [row for row in rows.iterator(chunk_size=2000) if is_valid_uscc(row["uscc"])]
    except Exception:  # the credit register is optional for this demo
        entities = []
    if entities:
        # Half the demo's applicants (their later cases reuse the licences), half the county's small
        # businesses (农家乐, 面馆, 超市, 理发店 … with their permits).
        first = [row for row in entities if row["uscc"] in applicants][: OLDER_ENTITIES // 2]
        rest = [row for row in entities if row["uscc"] not in applicants]
        rng.shuffle(rest)
        result = first + rest
    else:
        seen = set()
        rows = (
            Case.objects.exclude(applicant_uscc="")
            .order_by("applicant_uscc", "pk")
            .values_list("applicant_uscc", "applicant_name", "form_data")
        )
        for uscc, name, form in rows.iterator(chunk_size=2000):
            if uscc not in seen and is_valid_uscc(uscc):
                seen.add(uscc)
                code = next((c for word, c in NAME_INDUSTRIES if word in name), "")
                address = (form or {}).get("applicant_address", "")
                result.append(
                    {"uscc": uscc, "name": name, "address": address, "industry_code": code, "established_on": None}
                )
        rng.shuffle(result)
    return result[:OLDER_ENTITIES]


def _renewed(licence_type: LicenceType, first: dt.date, today: dt.date, rng: random.Random) -> dt.date:
    """The issue day of the permit's current period: renewed (延续) at the end of each period, except
    a few that lapsed and stand expired."""
    years = licence_type.validity_years
    issued = first
    if not years:
        return issued
    while add_years(issued, years) <= today:
        issued = add_years(issued, years)
    if issued > first and rng.random() < LAPSED_SHARE:
        issued = add_years(issued, -years)
    return issued


def _older_licences(types, keys, departments, rng: random.Random, today: dt.date, now) -> list[Licence]:
    """营业执照 and trade permits of market entities, issued before the platform (no case)."""
    if "market-regulation" not in departments:
        return []
    held = set(Licence.objects.filter(case__isnull=True).values_list("holder_uscc", "licence_type_id"))
    rows = []
    for entity in _entities(rng):
        uscc, name, address = entity["uscc"], entity["name"], entity.get("address") or ""
        scope, permits = _industry(entity.get("industry_code") or "")
        established = entity.get("established_on") or today - dt.timedelta(days=rng.randint(400, 6 * 365))
        established = min(established, today - dt.timedelta(days=30))
        wanted = [("yyzz", "market-regulation", scope)] + permits
        for code, dept_code, permit_scope in wanted:
            licence_type = types[code]
            if (uscc, licence_type.pk) in held:
                continue
            department = departments.get(dept_code) or departments["market-regulation"]
            if code == "yyzz":
                issued_on = established
            else:
                first = min(established + dt.timedelta(days=rng.randint(10, 90)), today)
                issued_on = _renewed(licence_type, first, today, rng)
            fields = {}
            for spec in licence_type.fields_schema:
                if spec["key"] == "entity_name":
                    fields["entity_name"] = name
                elif spec["key"] == "scope":
                    fields["scope"] = permit_scope or scope
                elif spec["key"] == "address":
                    if address:
                        fields["address"] = address
                elif spec.get("default"):
                    fields[spec["key"]] = spec["default"]
            if code == "qsxk":
                fields["water_source"] = rng.choice(["地下水", "地表水（渭河）", "地表水（石头河）"])
                fields["annual_volume"] = f"{rng.choice([1.2, 2.5, 3.6, 5.0])}"
            rows.append(
                Licence(
                    licence_type=licence_type,
                    holder_kind=HolderKind.ENTERPRISE,
                    holder_name=name,
                    holder_uscc=uscc,
                    fields=fields,
                    issued_on=issued_on,
                    valid_until=default_valid_until(licence_type, issued_on),
                    department=department,
                    region_id=department.region_id or departments["market-regulation"].region_id,
                    state=LicenceState.VALID,
                    key=keys(department),
                    created_at=now,
                )
            )
            held.add((uscc, licence_type.pk))
    return _insert(rows) if rows else []


def _closed_entities() -> dict[str, str]:
    """USCC → revocation reason for entities the credit register shows deregistered or struck off."""
    try:
        from yiwang.credit.models import Entity

        return {
            uscc: "市场主体已注销" if status == Entity.Status.CANCELLED else "营业执照被吊销"
            for uscc, status in Entity.objects.exclude(status=Entity.Status.ACTIVE).values_list("uscc", "status")
        }
    except Exception:
        return {}


def _uses(licences: list[Licence], departments, rng: random.Random, now) -> int:
    """The use log: enterprise licences checked by the banks, tax, housing fund, social insurance and
    seal departments after issue (企业开办 and later), and by the department of each later case of the
    holder whose materials list the licence type."""
    rows = []
    business = [lic for lic in licences if lic.licence_type.code == "yyzz"]
    for licence in business:
        for dept_code, purpose in rng.sample(USE_PURPOSES, k=rng.randint(0, 3)):
            department = departments.get(dept_code)
            if department is None:
                continue
            issued = dt.datetime.combine(licence.issued_on, dt.time(9), tzinfo=timezone.get_current_timezone())
            used_at = min(issued + dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 7)), now)
            rows.append(
                LicenceUse(
                    licence=licence,
                    department=department,
                    region_id=licence.region_id,
                    purpose=purpose,
                    used_at=used_at,
                )
            )
    # Later cases of the same enterprise whose materials name a licence type it holds.
    by_holder = defaultdict(list)
    for licence in licences:
        if licence.holder_uscc:
            by_holder[licence.holder_uscc].append(licence)
    cases = (
        Case.objects.filter(applicant_uscc__in=list(by_holder))
        .filter(Q(materials__licence_type__in=[t.name for t in LicenceType.objects.all()]))
        .distinct()
        .select_related("department")
        .prefetch_related("materials")
    )
    for case in cases.iterator(chunk_size=500):
        for material in case.materials.all():
            for licence in by_holder[case.applicant_uscc]:
                if (
                    material.licence_type == licence.licence_type.name
                    and licence.issued_on <= timezone.localdate(case.submitted_at)
                    and licence.case_id != case.pk
                ):
                    rows.append(
                        LicenceUse(
                            licence=licence,
                            case=case,
                            department=case.department,
                            region_id=case.region_id,
                            purpose=f"办件 {case.number}（{case.title}）核验材料“{material.name}”",
                            used_at=case.submitted_at,
                        )
                    )
                    break
    LicenceUse.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# The demo's own accounts (citizen and enterprise users) hold licences through ``licence_issue``, so
# their 我的证照 shows licences (one about to expire) and uses.
ACCOUNT_LICENCES = [
    # (licence type, issuing department, years ago (days), valid for days from today or None, fields)
    ("yyzz", "market-regulation", 3 * 365, None, {"scope": "猕猴桃冷藏、销售；预包装食品销售"}),
    ("spjy", "admin-approval", 4 * 365 + 340, 20, {"scope": "预包装食品销售、散装食品销售"}),
]
ACCOUNT_USES = [
    ("pboc-meixian", "企业银行基本存款账户变更核验营业执照"),
    ("taxation", "增值税一般纳税人登记调用营业执照"),
]


def _account_licences(types, departments, today: dt.date) -> int:
    from yiwang.org.models import Membership, Role

    from ..selectors import licences_of_user
    from ..services import licence_issue, licence_record_use

    issued = 0
    users = (
        Membership.objects.filter(role__in=[Role.CITIZEN, Role.ENTERPRISE])
        .select_related("user")
        .order_by("user_id")
        .distinct()
    )
    seen = set()
    for membership in users:
        user = membership.user
        if user.pk in seen:
            continue
        seen.add(user.pk)
        uscc = (user.uscc or "").strip()
        id_number = (user.id_number or "").strip()
        if not (uscc and is_valid_uscc(uscc)) and not (id_number and is_valid_id_number(id_number)):
            continue
        name = user.display_name or user.username
        for code, dept_code, days_ago, valid_days, fields in ACCOUNT_LICENCES:
            department = departments.get(dept_code)
            licence_type = types[code]
            if department is None:
                continue
            held = licences_of_user(user).filter(licence_type=licence_type).first()
            if held is not None:  # already holds one (issued with one of the account's cases)
                if code == "yyzz" and not held.uses.exists():
                    for use_dept, purpose in ACCOUNT_USES:
                        if use_dept in departments:
                            licence_record_use(licence=held, purpose=purpose, department=departments[use_dept])
                continue
            values = dict(fields)
            if code == "yyzz":
                values["entity_name"] = name if uscc else f"眉县{name}便民店"
            licence = licence_issue(
                licence_type=licence_type,
                holder_name=name,
                holder_id_number="" if uscc else id_number,
                holder_uscc=uscc,
                fields=values,
                department=department,
                issued_on=today - dt.timedelta(days=days_ago),
                valid_until=today + dt.timedelta(days=valid_days) if valid_days else None,
                holder_user=user,
                actor=None,
            )
            issued += 1
            if code == "yyzz":
                for use_dept, purpose in ACCOUNT_USES:
                    if use_dept in departments:
                        licence_record_use(licence=licence, purpose=purpose, department=departments[use_dept])
    return issued


def seed(*, stdout=None) -> None:
    """Idempotent part by part: cases approved since the last run get their licences, entities of the
    credit register without licences get theirs (so a run after the credit demo fills them in),
    licences of deregistered entities are revoked; a second run adds nothing."""
    started = time.monotonic()
    rng = random.Random(RNG_SEED)
    random.seed(RNG_SEED)
    types = _types()
    now = timezone.now()
    today = timezone.localdate(now)
    departments = {d.code: d for d in Department.objects.select_related("region")}
    key_cache = {}

    def keys(department):
        if department.pk not in key_cache:
            key_cache[department.pk] = signing_key_for(department)
        return key_cache[department.pk]

    with transaction.atomic():
        issued = _case_licences(types, keys, now)
        older = _older_licences(types, keys, departments, rng, today, now) if departments else []
        uses = _uses(issued + older, departments, rng, now)
    accounts = _account_licences(types, departments, today)
    expired = licences_expire(today=today)
    revoked = 0
    closed = _closed_entities()
    targets = [(lic, closed[lic.holder_uscc]) for lic in older if lic.holder_uscc in closed]
    if not targets:  # nobody closed: a few trade permits given up by their holders (never a 营业执照)
        candidates = [lic for lic in older if lic.licence_type.code != "yyzz" and lic.state == LicenceState.VALID]
        targets = [
            (lic, rng.choice(REVOKE_REASONS)) for lic in rng.sample(candidates, k=min(REVOKED_COUNT, len(candidates)))
        ]
    for licence, reason in targets:
        licence.refresh_from_db(fields=["state"])
        if licence.state != LicenceState.REVOKED:
            licence_revoke(licence=licence, actor=None, reason=reason)
            revoked += 1
    if issued or older or accounts or expired or revoked:
        measures_rebuild(metrics=[measures.ISSUED, measures.REUSED, measures.REVOKED])
    total = Licence.objects.count()
    _say(
        stdout,
        f"电子证照：证照类型 {len(types)} 种，办件同步签发 {len(issued)} 份，市场主体存量证照 {len(older)} 份，"
        f"演示账户证照 {accounts} 份，调用记录 {uses} 条，到期 {expired} 份，注销 {revoked} 份；"
        f"共 {total} 份（{time.monotonic() - started:.1f} 秒）\n",
    )
