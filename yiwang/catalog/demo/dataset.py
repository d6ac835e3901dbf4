"""The catalog demo's data, read from ``data/*.json``.

- ``materials.json``: material key → ``[name, form, copies, required, key, deferrable,
  pledge_replaceable, licence_type]`` (``{base}`` in the name is the service's name);
- ``form_fields.json``: the application-form fields for a person, an enterprise, and extras by key;
- ``county_bases.json``: one :class:`Base` per county service (fields left out take the defaults);
- ``town_items.json`` / ``village_items.json``: the plan's 75 town and 52 village items as
  ``[competent, name, kind, audience, legal_days, promised_days, materials, keywords]``;
- ``bundles.json``: the 一件事 bundles and the item names they join;
- ``adjustments.json``: ``[kind, reason]`` of the months of adjustments after adoption;
- ``profile.json``: code prefix per item kind, share of online items per department, visit reasons;
- ``published_forms.json``: withdrawn items, items with published blank forms, and sample values.

JSON has no tuples; this module rebuilds them where the generator expects them.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read(name: str):
    """One data file, parsed (``name`` without the ``.json``)."""
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


LIC, CONF, PAY, ADJ, REW, FIL, OTH, PUB = (
    "licensing",
    "confirmation",
    "payment",
    "adjudication",
    "reward",
    "filing",
    "other_power",
    "public_service",
)
ENT, PER, BOTH = "enterprise", "person", "both"


@dataclass
class Base:
    """One service, expanded into its variants (新办/变更/延续/注销 …)."""

    competent: str
    name: str
    kind: str
    audience: str
    legal_days: int
    promised_days: int
    materials: list[str]
    basis: str
    conditions: str
    implementing: str | None = None  # defaults to competent
    variants: tuple[str, ...] = ("",)
    depth: int | None = None  # None: drawn from the department's profile
    reform: str = ""
    pledge: bool = False
    fee: str = ""
    keywords: str = ""
    place: str = ""
    extra_fields: list[str] = field(default_factory=list)
    visits_reason: str = "需现场核验原件并领取证照"


def _base(row: dict) -> Base:
    if "variants" in row:
        row = {**row, "variants": tuple(row["variants"])}
    return Base(**row)


# name, form, copies, required, key, deferrable, pledge_replaceable, licence_type
MATERIALS: dict[str, tuple] = {key: tuple(row) for key, row in read("materials").items()}

_fields = read("form_fields")
PERSON_FIELDS: list[dict] = _fields["person"]
ENTERPRISE_FIELDS: list[dict] = _fields["enterprise"]
EXTRA_FIELDS: dict[str, dict] = _fields["extra"]

COUNTY_BASES: list[Base] = [_base(row) for row in read("county_bases")]

# Town service centres (镇（街）便民服务中心): the plan's 75 items, handled at every town centre.
# (competent, name, kind, audience, legal, promised, materials, keywords)
TOWN_ITEMS: list[tuple[str, str, str, str, int, int, list[str], str]] = [tuple(row) for row in read("town_items")]
# Village stations (村（社区）便民服务站): the plan's 52 items — mostly 代办 and first checks.
VILLAGE_ITEMS: list[tuple[str, str, str, str, int, int, list[str], str]] = [tuple(row) for row in read("village_items")]

BUNDLES: list[dict] = read("bundles")

# Adjustments over the months after the list was adopted (动态调整): what changed and why.
ADJUSTMENTS: list[tuple[str, str]] = [tuple(row) for row in read("adjustments")]

_profile = read("profile")
KIND_PREFIX: dict[str, str] = _profile["kind_prefix"]
# Department profiles: the share of items that reach online depth III/IV, so the county's overall
# rate lands near the plan's 60 % with some departments well above and some below.
ONLINE_PROFILE: dict[str, float] = _profile["online_profile"]
VISIT_REASONS: tuple[str, ...] = tuple(_profile["visit_reasons"])

_forms = read("published_forms")
# Items the demo withdraws during the adjustment history, with the reason.
WITHDRAWN: dict[str, str] = _forms["withdrawn"]
# Items whose application form and a filled-in sample are published as files (high-frequency items).
FORM_FILES: tuple[str, ...] = tuple(_forms["form_files"])
SAMPLE_VALUES: dict[str, str] = _forms["sample_values"]
