"""The implementation elements of an item as one plain dict: what a version freezes, a change proposes,
the Excel template carries and the API returns.

Departments are referred to by their code; materials and form fields are ordered lists. The same dict
goes through ``elements_clean`` (shape) and ``rules.elements_problems`` (consistency) wherever it comes
from, so the API, the Excel import and the staff pages refuse the same things with the same words.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.org.models import Department, Region

from .models import (
    Audience,
    HandlingType,
    ItemKind,
    ItemLevel,
    ItemMaterial,
    LimitUnit,
    MaterialForm,
    OnlineDepth,
    ReformMode,
    ServiceItem,
)


@dataclass(frozen=True)
class ElementField:
    key: str
    label: str
    type: str  # str | text | int | bool | enum | depth | department | region; "?int"/"?bool" may be None (未列明)
    choices: type | None = None
    required: bool = False
    max_length: int | None = None


ITEM_FIELDS: tuple[ElementField, ...] = (
    ElementField("code", "事项编码", "str", required=True, max_length=64),
    ElementField("name", "事项名称", "str", required=True, max_length=200),
    ElementField("kind", "事项类型", "enum", ItemKind, required=True),
    ElementField("competent_department", "主管部门", "department", required=True),
    ElementField("implementing_department", "实施主体", "department", required=True),
    ElementField("level", "行使层级", "enum", ItemLevel, required=True),
    ElementField("audience", "服务对象", "enum", Audience, required=True),
    ElementField("on_application", "依申请事项", "bool"),
    ElementField("legal_basis", "设定依据", "text"),
    ElementField("conditions", "受理条件", "text"),
    ElementField("region", "所属区划", "region"),
    ElementField("legal_days", "法定办结时限", "?int"),
    ElementField("promised_days", "承诺办结时限", "int", required=True),
    ElementField("limit_unit", "时限单位", "enum", LimitUnit, required=True),
    ElementField("handling_type", "办件类型", "enum", HandlingType, required=True),
    ElementField("online_depth", "网办深度", "depth", OnlineDepth, required=True),
    ElementField("visits_required", "到办事现场次数", "int", required=True),
    ElementField("visits_reason", "必须现场办理原因", "text"),
    ElementField("fee_charged", "是否收费", "?bool"),
    ElementField("fee_description", "收费标准及依据", "text"),
    ElementField("online_payment", "支持网上支付", "bool"),
    ElementField("delivery_window", "窗口领取", "bool"),
    ElementField("delivery_post", "邮寄送达", "bool"),
    ElementField("delivery_electronic", "电子证照/电子送达", "bool"),
    ElementField("where_to_apply", "办理地点", "text"),
    ElementField("when_to_apply", "办理时间", "text"),
    ElementField("consult_phone", "咨询电话", "str", max_length=64),
    ElementField("complaint_phone", "监督投诉电话", "str", max_length=64),
    ElementField("reform_mode", "证照分离改革方式", "enum", ReformMode),
    ElementField("pledge_allowed", "可实行告知承诺", "bool"),
    ElementField("kiosk_available", "7×24自助办理", "bool"),
    ElementField("cross_region", "跨区通办", "bool"),
    ElementField("keywords", "检索关键词", "str", max_length=255),
)
ITEM_FIELD_BY_KEY = {f.key: f for f in ITEM_FIELDS}

MATERIAL_FIELDS: tuple[ElementField, ...] = (
    ElementField("code", "材料编码", "str", required=True, max_length=32),
    ElementField("name", "材料名称", "str", required=True, max_length=200),
    ElementField("form", "材料形式", "enum", MaterialForm, required=True),
    ElementField("copies", "份数", "?int"),
    ElementField("required", "是否必需", "bool"),
    ElementField("key", "关键要件", "bool"),
    ElementField("deferrable", "可容缺后补", "bool"),
    ElementField("pledge_replaceable", "可告知承诺替代", "bool"),
    ElementField("licence_type", "可用电子证照", "str", max_length=100),
    ElementField("blank_form", "空白表格", "str", max_length=255),
    ElementField("sample", "示例样表", "str", max_length=255),
    ElementField("note", "填报须知", "text"),
)

FORM_FIELD_TYPES = {
    "text": "文本",
    "textarea": "多行文本",
    "number": "数字",
    "date": "日期",
    "id_number": "身份证号",
    "phone": "手机号",
    "uscc": "统一社会信用代码",
}

FORM_FIELD_FIELDS: tuple[ElementField, ...] = (
    ElementField("key", "字段标识", "str", required=True, max_length=64),
    ElementField("label", "字段名称", "str", required=True, max_length=100),
    ElementField("type", "字段类型", "str", required=True),
    ElementField("required", "是否必填", "bool"),
)

DEFAULTS = {
    "region": "",
    "limit_unit": LimitUnit.WORKDAYS,
    "on_application": True,
    "legal_basis": "",
    "conditions": "",
    "visits_reason": "",
    "fee_charged": False,
    "fee_description": "",
    "online_payment": False,
    "delivery_window": True,
    "delivery_post": False,
    "delivery_electronic": False,
    "where_to_apply": "",
    "when_to_apply": "",
    "consult_phone": "",
    "complaint_phone": "",
    "reform_mode": "",
    "pledge_allowed": False,
    "kiosk_available": False,
    "cross_region": False,
    "keywords": "",
}
MATERIAL_DEFAULTS = {
    "copies": 1,
    "required": True,
    "key": False,
    "deferrable": False,
    "pledge_replaceable": False,
    "licence_type": "",
    "blank_form": "",
    "sample": "",
    "note": "",
}


@dataclass
class Problem:
    """One thing wrong with an item's elements: a stable code, the field, a Chinese message."""

    code: str
    field: str
    message: str
    severity: str = "error"  # error blocks publication; warning is flagged for staff
    material: str | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = {"code": self.code, "field": self.field, "message": self.message, "severity": self.severity}
        if self.material:
            data["material"] = self.material
        return data


def item_elements(item: ServiceItem, *, materials=None) -> dict:
    """The elements in force on ``item`` as a plain dict (the snapshot format)."""
    data = {}
    for spec in ITEM_FIELDS:
        if spec.type == "department":
            data[spec.key] = getattr(item, spec.key).code
        elif spec.type == "region":
            data[spec.key] = item.region.code
        else:
            data[spec.key] = getattr(item, spec.key)
    rows = materials if materials is not None else item.materials.all()
    data["materials"] = [material_elements(m) for m in rows]
    data["form_fields"] = [dict(f) for f in (item.form_fields or [])]
    return data


def material_elements(material: ItemMaterial) -> dict:
    data = {}
    for spec in MATERIAL_FIELDS:
        value = getattr(material, spec.key)
        if spec.key in ("blank_form", "sample"):
            value = value.name if value else ""
        data[spec.key] = value
    return data


class _Label:
    """An element's label for a message, translated only when a message is written (an import
    coerces hundreds of thousands of cells, nearly all of them fine)."""

    __slots__ = ("spec", "where")

    def __init__(self, where: str, spec: ElementField):
        self.where, self.spec = where, spec

    def __str__(self) -> str:
        return f"{self.where}{self.spec.label}"


@cache
def _choice_values(choices) -> frozenset:
    return frozenset(choices.values)


class _Where:
    """Where a nested element sits ("材料“身份证”的"), translated only if a message needs it: a bulk
    import checks hundreds of thousands of elements and translating each place up front cost seconds."""

    def __init__(self, template: str, name: str = ""):
        self.template, self.name = template, name

    def __str__(self) -> str:
        text = _(self.template)
        return text % self.name if "%s" in text else text


_FORM_FIELD_WHERE = _Where(gettext_noop("申请表字段的"))


def _coerce(
    spec: ElementField, value, problems: list[Problem], *, where: str | _Where = "", material: str | None = None
):
    label = _Label(where, spec)
    if spec.type.startswith("?"):
        if value is None:
            return None  # 未列明 / 无法定时限
        spec = ElementField(spec.key, spec.label, spec.type[1:], spec.choices, spec.required, spec.max_length)
    if value is None:
        value = ""
    if spec.type in ("str", "text"):
        if not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if spec.required and not value:
            problems.append(Problem("catalog.field_required", spec.key, _("%s不能为空") % label, material=material))
        if spec.max_length and len(value) > spec.max_length:
            problems.append(
                Problem(
                    "catalog.field_too_long",
                    spec.key,
                    _("%(label)s不能超过%(n)d个字") % {"label": label, "n": spec.max_length},
                    material=material,
                )
            )
        return value
    if spec.type == "bool":
        if isinstance(value, bool):
            return value
        problems.append(Problem("catalog.field_invalid", spec.key, _("%s应为是或否") % label, material=material))
        return False
    if spec.type in ("int", "depth"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem("catalog.field_invalid", spec.key, _("%s应为非负整数") % label, material=material))
            return 0
        if value < 0:
            problems.append(Problem("catalog.field_invalid", spec.key, _("%s应为非负整数") % label, material=material))
        if spec.type == "depth" and value not in _choice_values(OnlineDepth):
            problems.append(Problem("catalog.enum_invalid", spec.key, _("%s应为一级至四级") % label, material=material))
        return value
    if spec.type == "enum":
        if value not in _choice_values(spec.choices):
            allowed = "、".join(str(lbl) for v, lbl in spec.choices.choices if v)
            problems.append(
                Problem(
                    "catalog.enum_invalid",
                    spec.key,
                    _("%(label)s“%(value)s”不在可选范围内（%(allowed)s）")
                    % {"label": label, "value": value, "allowed": allowed},
                    material=material,
                )
            )
        return value
    if spec.type == "region":
        return str(value).strip()
    if spec.type == "department":
        value = str(value).strip()
        if not value:
            problems.append(Problem("catalog.field_required", spec.key, _("%s不能为空") % label))
        return value
    raise AssertionError(spec.type)


def elements_clean(
    raw: dict, *, departments: dict[str, Department] | None = None, regions: Collection[str] | None = None
) -> tuple[dict, list[Problem]]:
    """Check the shape of an elements dict and fill defaults; returns (clean dict, problems).

    ``departments`` maps department codes to rows and ``regions`` holds the region codes (both loaded
    once by the caller in bulk work); unknown codes are problems, never silent blanks.
    """
    problems: list[Problem] = []
    clean: dict = {}
    for spec in ITEM_FIELDS:
        value = raw.get(spec.key, DEFAULTS.get(spec.key))
        clean[spec.key] = _coerce(spec, value, problems)
    dept_codes = {clean["competent_department"], clean["implementing_department"]} - {""}
    if departments is None:
        departments = {d.code: d for d in Department.objects.filter(code__in=dept_codes)}
    for key in ("competent_department", "implementing_department"):
        code = clean[key]
        if code and code not in departments:
            problems.append(
                Problem(
                    "catalog.department_unknown",
                    key,
                    _("%(label)s“%(code)s”不存在") % {"label": ITEM_FIELD_BY_KEY[key].label, "code": code},
                )
            )
    # The region the item belongs to: given by code, else the competent department's.
    if clean["region"]:
        known = (
            clean["region"] in regions if regions is not None else Region.objects.filter(code=clean["region"]).exists()
        )
        if not known:
            problems.append(Problem("catalog.region_unknown", "region", _("所属区划代码“%s”不存在") % clean["region"]))
    elif clean["competent_department"] in departments:
        clean["region"] = departments[clean["competent_department"]].region.code

    materials = raw.get("materials") or []
    clean["materials"] = []
    if not isinstance(materials, list):
        problems.append(Problem("catalog.field_invalid", "materials", _("申请材料格式不正确")))
        materials = []
    for index, item in enumerate(materials, start=1):
        item = item if isinstance(item, dict) else {}
        name = str(item.get("name") or item.get("code") or index)
        row = {}
        where = _Where(gettext_noop("材料“%s”的"), name)
        for spec in MATERIAL_FIELDS:
            value = item.get(spec.key, MATERIAL_DEFAULTS.get(spec.key))
            row[spec.key] = _coerce(spec, value, problems, where=where, material=name)
        if row["copies"] == 0 and not any(p.field == "copies" and p.material == name for p in problems):
            problems.append(
                Problem("catalog.field_invalid", "copies", _("材料“%s”的份数至少为1") % name, material=name)
            )
        clean["materials"].append(row)

    form_fields = raw.get("form_fields") or []
    clean["form_fields"] = []
    if not isinstance(form_fields, list):
        problems.append(Problem("catalog.field_invalid", "form_fields", _("申请表字段格式不正确")))
        form_fields = []
    for item in form_fields:
        item = item if isinstance(item, dict) else {}
        row = {}
        for spec in FORM_FIELD_FIELDS:
            value = item.get(spec.key, True if spec.key == "required" else "")
            row[spec.key] = _coerce(spec, value, problems, where=_FORM_FIELD_WHERE)
        if row["type"] and row["type"] not in FORM_FIELD_TYPES:
            problems.append(
                Problem("catalog.enum_invalid", "form_fields", _("申请表字段类型“%s”不在可选范围内") % row["type"])
            )
        clean["form_fields"].append(row)
    return clean, problems


SCALAR_KEYS = tuple(spec.key for spec in ITEM_FIELDS if spec.type != "department")


def elements_diff(before: dict | None, after: dict) -> list[dict]:
    """What a change alters, element by element, for reviewers (labels in Chinese)."""
    before = before or {}
    rows = []
    for spec in ITEM_FIELDS:
        old, new = before.get(spec.key), after.get(spec.key)
        if old != new:
            rows.append({"key": spec.key, "label": spec.label, "before": old, "after": new})
    old_materials = {m.get("code"): m for m in before.get("materials") or []}
    new_materials = {m.get("code"): m for m in after.get("materials") or []}
    for code in [*old_materials, *(c for c in new_materials if c not in old_materials)]:
        old, new = old_materials.get(code), new_materials.get(code)
        if old != new:
            name = (new or old).get("name", code)
            rows.append(
                {
                    "key": f"materials.{code}",
                    "label": _("申请材料：%s") % name,
                    "before": material_summary(old) if old else _("（无）"),
                    "after": material_summary(new) if new else _("（删除）"),
                }
            )
    old_fields, new_fields = before.get("form_fields") or [], after.get("form_fields") or []
    if old_fields != new_fields:
        rows.append(
            {
                "key": "form_fields",
                "label": _("申请表字段"),
                "before": "、".join(f.get("label", "") for f in old_fields),
                "after": "、".join(f.get("label", "") for f in new_fields),
            }
        )
    return rows


def material_summary(material: dict) -> str:
    """One line describing a material's attributes, e.g. "营业执照（复印件1份，关键要件，可用电子证照：营业执照）"."""
    copies = material.get("copies")
    parts = [f"{MaterialForm(material['form']).label}{'份数未列明' if copies is None else f'{copies}份'}"]
    if not material.get("required"):
        parts.append(str(_("非必需")))
    if material.get("key"):
        parts.append(str(_("关键要件")))
    if material.get("deferrable"):
        parts.append(str(_("可容缺")))
    if material.get("pledge_replaceable"):
        parts.append(str(_("可承诺替代")))
    if material.get("licence_type"):
        parts.append(_("可用电子证照：%s") % material["licence_type"])
    return f"{material.get('name', '')}（{'，'.join(parts)}）"
