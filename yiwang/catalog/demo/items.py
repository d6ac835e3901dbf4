"""A realistic (illustrative) Meixian service catalog: item elements built from ``data/*.json``.

The bases, town and village rows come from :mod:`.dataset`; this module expands them into the
elements dicts ``catalog.services.items_publish_baseline`` takes, with a fixed seed.

County items follow the usual shape of a county implementation list: most licences are exercised by the
行政审批服务局 under 相对集中行政许可权 with the sector bureau as competent department, each licence in its
新办/变更/延续/注销 variants; the town service-centre list has the plan's 75 items and the village-station
list its 52 (plan 三、1). Names, bases and numbers are plausible, not the county's official list.
"""

import random

from .dataset import (
    COUNTY_BASES,
    ENT,
    ENTERPRISE_FIELDS,
    EXTRA_FIELDS,
    KIND_PREFIX,
    LIC,
    MATERIALS,
    ONLINE_PROFILE,
    PERSON_FIELDS,
    TOWN_ITEMS,
    VILLAGE_ITEMS,
    Base,
)

SEED = 2021
COUNTY_HALL = "眉县政务服务中心（首善街道）"
HALL_HOURS = "周一至周五 上午 8:30–12:00，下午 14:30–18:00（冬季 14:00–17:30），法定节假日除外"
TOWN_PLACE = "各镇（街道）便民服务中心综合受理窗口"
VILLAGE_PLACE = "各村（社区）便民服务站"
TOWN_HOURS = "周一至周五 上午 8:30–12:00，下午 14:30–18:00"
VILLAGE_HOURS = "周一至周五 上午 9:00–12:00，下午 15:00–17:30；可预约上门代办"


def _phone(department: str) -> str:
    number = sum(ord(c) for c in department) % 9000 + 1000
    return f"0917-55{number:04d}"


def _material(key: str, base_name: str, index: int) -> dict:
    name, form, copies, required, is_key, deferrable, pledge, licence = MATERIALS[key]
    return {
        "code": f"M{index:02d}",
        "name": name.format(base=base_name),
        "form": form,
        "copies": copies,
        "required": required,
        "key": is_key,
        "deferrable": deferrable,
        "pledge_replaceable": pledge,
        "licence_type": licence,
        "blank_form": "",
        "sample": "",
        "note": "",
    }


def _variant_materials(base: Base, variant: str) -> list[str]:
    keys = list(base.materials)
    if variant in ("变更",):
        keys = [k for k in keys if k in ("form", "licence", "id_legal", "id", "permit")] + ["change_proof"]
        if base.kind == LIC:
            keys.append("permit")
    elif variant in ("延续",):
        keys = [k for k in keys if k in ("form", "licence", "id_legal", "id")] + ["permit"]
    elif variant in ("注销",):
        keys = [k for k in keys if k in ("form", "licence", "id_legal", "id")] + (
            ["permit"] if base.kind == LIC else []
        )
    if "proxy" not in keys:
        keys.append("proxy")
    seen = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    return seen


def _fields(audience: str, extra: list[str]) -> list[dict]:
    base = ENTERPRISE_FIELDS if audience == ENT else PERSON_FIELDS
    return [dict(f) for f in base] + [dict(EXTRA_FIELDS[key]) for key in extra]


def _finish(elements: dict, rng: random.Random, *, depth: int, visits_reason: str) -> dict:
    """Fill online depth, visits, delivery and payment consistently (the rules in rules.py)."""
    elements["online_depth"] = depth
    if depth == 4:
        visits = 0
    elif depth == 3:
        visits = 0 if rng.random() < 0.35 else 1
    elif depth == 2:
        visits = 1 if rng.random() < 0.7 else 2
    else:
        visits = 2
    elements["visits_required"] = visits
    elements["visits_reason"] = visits_reason if visits else ""
    elements["delivery_window"] = visits > 0 or rng.random() < 0.6
    elements["delivery_post"] = depth >= 3 and rng.random() < 0.7
    elements["delivery_electronic"] = depth >= 3 and (visits == 0 or rng.random() < 0.5)
    if not (elements["delivery_window"] or elements["delivery_post"] or elements["delivery_electronic"]):
        elements["delivery_electronic"] = True
    elements["online_payment"] = elements["fee_charged"] and depth >= 3
    elements["kiosk_available"] = depth >= 3 and rng.random() < 0.45
    elements["cross_region"] = depth >= 3 and rng.random() < 0.4
    return elements


def _days(legal: int, promised: int) -> tuple[int, int, str]:
    promised = min(promised, legal)
    return legal, promised, "instant" if promised == 0 else "promised"


def county_items() -> list[dict]:
    rng = random.Random(SEED)
    items = []
    counters: dict[str, int] = {}
    for base in COUNTY_BASES:
        for variant in base.variants:
            name = f"{base.name}（{variant}）" if variant else base.name
            prefix = KIND_PREFIX[base.kind]
            counters[prefix] = counters.get(prefix, 0) + 1
            code = f"610326-{prefix}-{counters[prefix]:04d}"
            legal, promised, handling = _days(base.legal_days, base.promised_days)
            if variant in ("注销",) and legal:
                promised, handling = 0, "instant"
            if variant in ("变更", "延续") and promised > 1:
                promised = max(1, promised // 2)
            keys = _variant_materials(base, variant)
            materials = [_material(key, base.name, n) for n, key in enumerate(keys, start=1)]
            pledge = base.pledge and variant not in ("注销",)
            if not pledge:
                for material in materials:
                    material["pledge_replaceable"] = False
            depth = base.depth
            if depth is None:
                share = ONLINE_PROFILE.get(base.competent, 0.6)
                depth = rng.choice((3, 4)) if rng.random() < share else rng.choice((1, 2, 2))
            elif depth == 3 and rng.random() > ONLINE_PROFILE.get(base.competent, 0.7):
                # Not every "could be online" service was connected to the platform in time.
                depth = 2
            place = base.place or f"{COUNTY_HALL}综合受理窗口（1–16号），可网上申请"
            elements = {
                "code": code,
                "name": name,
                "kind": base.kind,
                "competent_department": base.competent,
                "implementing_department": base.implementing or base.competent,
                "level": "county",
                "audience": base.audience,
                "on_application": True,
                "legal_basis": base.basis,
                "conditions": base.conditions,
                "legal_days": legal,
                "promised_days": promised,
                "handling_type": handling,
                "fee_charged": bool(base.fee) and base.fee != "不收费",
                "fee_description": base.fee if base.fee and base.fee != "不收费" else "",
                "where_to_apply": place,
                "when_to_apply": HALL_HOURS,
                "consult_phone": _phone(base.competent),
                "complaint_phone": "12345",
                "reform_mode": base.reform if variant not in ("注销",) else "",
                "pledge_allowed": pledge,
                "keywords": base.keywords,
                "materials": materials,
                "form_fields": _fields(base.audience, base.extra_fields),
            }
            items.append(_finish(elements, rng, depth=depth, visits_reason=base.visits_reason))
    return items


def _local_items(rows, *, level: str, prefix: str, place: str, hours: str, seed: int) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for n, (competent, name, kind, audience, legal, promised, keys, keywords) in enumerate(rows, start=1):
        legal, promised, handling = _days(legal, promised)
        materials = [_material(key, name, i) for i, key in enumerate(keys, start=1)]
        for material in materials:
            material["pledge_replaceable"] = False
        if level == "village":
            # A station takes the papers and does the errand (代办): rarely fully online.
            depth = 2 if rng.random() < 0.6 else 3
        else:
            depth = rng.choice((3, 3, 4)) if rng.random() < 0.62 else 2
        elements = {
            "code": f"610326-{prefix}-{n:03d}",
            "name": name,
            "kind": kind,
            "competent_department": competent,
            "implementing_department": competent,
            "level": level,
            "audience": audience,
            "on_application": True,
            "legal_basis": "",
            "conditions": "",
            "legal_days": legal,
            "promised_days": promised,
            "handling_type": handling,
            "fee_charged": False,
            "fee_description": "",
            "where_to_apply": place,
            "when_to_apply": hours,
            "consult_phone": _phone(competent),
            "complaint_phone": "12345",
            "reform_mode": "",
            "pledge_allowed": False,
            "keywords": keywords,
            "materials": materials,
            "form_fields": _fields(audience, []),
        }
        reason = "需本人到站点签字并由工作人员代为递交" if level == "village" else "需现场核验原件"
        items.append(_finish(elements, rng, depth=depth, visits_reason=reason))
    return items


def town_items() -> list[dict]:
    return _local_items(TOWN_ITEMS, level="town", prefix="ZJ", place=TOWN_PLACE, hours=TOWN_HOURS, seed=SEED + 1)


def village_items() -> list[dict]:
    return _local_items(
        VILLAGE_ITEMS, level="village", prefix="CJ", place=VILLAGE_PLACE, hours=VILLAGE_HOURS, seed=SEED + 2
    )


def all_items() -> list[dict]:
    return county_items() + town_items() + village_items()
