"""Consistency rules of an item's elements.

Errors block a proposal, a publication and an import; warnings are published but flagged on the staff
catalog. The errors are also database constraints on ``ServiceItem``/``ItemMaterial`` (the last line
of defence); here they get their specific codes and Chinese messages.

Sources: 国务院办公厅《关于全面推行政务服务事项实施清单标准化工作的指导意见》(implementation-list
elements), 国办发〔2018〕45号 (网办深度), plan 四（十五）8 (容缺 only for non-key materials).
"""

from django.utils.translation import gettext as _

from .elements import Problem
from .models import HandlingType, ItemKind, LimitUnit, ReformMode

# The policy limit on visits to the site (到办事现场次数 0, 1 or 2): a target, not a refusal.
MAX_VISITS = 2


def elements_problems(elements: dict) -> list[Problem]:
    """Every consistency problem of a (shape-clean) elements dict, errors first."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    legal, promised = elements["legal_days"], elements["promised_days"]
    instant = elements["handling_type"] == HandlingType.INSTANT
    depth, visits = elements["online_depth"], elements["visits_required"]

    unit = LimitUnit(elements.get("limit_unit") or LimitUnit.WORKDAYS).label
    # promised_days ≤ legal_days: a promise may shorten the statutory limit, never extend it.
    # No statutory limit (legal_days None, 无法定时限) leaves the promise unbounded.
    if legal is not None and promised > legal:
        errors.append(
            Problem(
                "catalog.promised_exceeds_legal",
                "promised_days",
                _("承诺办结时限（%(promised)d个%(unit)s）不得超过法定办结时限（%(legal)d个%(unit)s）")
                % {"promised": promised, "legal": legal, "unit": unit},
            )
        )
    # instant ⇔ promised_days = 0.
    if instant and promised != 0:
        errors.append(Problem("catalog.instant_needs_zero_days", "promised_days", _("即办件的承诺办结时限应为0天")))
    if not instant and promised == 0:
        errors.append(
            Problem("catalog.zero_days_must_be_instant", "handling_type", _("承诺办结时限为0的事项应为即办件"))
        )
    # online_depth IV (全程网办) ⇒ no visit at all.
    if depth == 4 and visits != 0:
        errors.append(
            Problem(
                "catalog.depth_iv_needs_zero_visits",
                "visits_required",
                _("网办深度为四级（全程网办）的事项，到办事现场次数应为0"),
            )
        )
    # A visit must be justified (国办发〔2018〕45号: 必须到现场办理的，应说明理由).
    if visits > 0 and not elements["visits_reason"].strip():
        errors.append(
            Problem("catalog.visits_reason_missing", "visits_reason", _("需到现场办理的事项，应填写必须现场办理的原因"))
        )
    if elements["fee_charged"] is not True and elements["online_payment"]:
        errors.append(Problem("catalog.payment_without_fee", "online_payment", _("不收费的事项不能开通网上支付")))

    seen_codes, seen_names = set(), set()
    for material in elements["materials"]:
        name = material["name"]
        if material["code"] in seen_codes:
            errors.append(
                Problem("catalog.material_duplicate", "code", _("材料编码“%s”重复") % material["code"], material=name)
            )
        if name in seen_names:
            errors.append(Problem("catalog.material_duplicate", "name", _("材料“%s”重复") % name, material=name))
        seen_codes.add(material["code"])
        seen_names.add(name)
        if material["key"] and material["deferrable"]:
            errors.append(
                Problem(
                    "catalog.material_key_deferrable",
                    "key",
                    _("材料“%s”是关键要件，不能容缺后补") % name,
                    material=name,
                )
            )
        if material["key"] and not material["required"]:
            errors.append(
                Problem(
                    "catalog.material_key_not_required",
                    "required",
                    _("材料“%s”是关键要件，应为必需材料") % name,
                    material=name,
                )
            )
        if material["pledge_replaceable"] and not elements["pledge_allowed"]:
            errors.append(
                Problem(
                    "catalog.material_pledge_not_allowed",
                    "pledge_replaceable",
                    _("事项未实行告知承诺，材料“%s”不能以承诺替代") % name,
                    material=name,
                )
            )
    keys = [f["key"] for f in elements.get("form_fields", [])]
    if len(keys) != len(set(keys)):
        errors.append(Problem("catalog.form_field_duplicate", "form_fields", _("申请表字段标识重复")))

    # Warnings: published, but a maintainer should look.
    # The policy limit on visits is a target, not a refusal: a real item needing more visits loads and
    # is counted as not meeting it (catalog targets, ``over_visits``).
    if visits > MAX_VISITS:
        warnings.append(
            Problem(
                "catalog.visits_over_target",
                "visits_required",
                _("到办事现场%(n)d次，超过“最多跑%(max)d次”的目标；请说明原因并推动压减")
                % {"n": visits, "max": MAX_VISITS},
                severity="warning",
            )
        )
    if depth == 3 and visits > 1:
        warnings.append(
            Problem(
                "catalog.depth_iii_visits", "visits_required", _("网办深度三级应做到最多跑一次"), severity="warning"
            )
        )
    if visits == 0 and depth < 3:
        warnings.append(
            Problem(
                "catalog.zero_visits_not_online",
                "online_depth",
                _("零跑动事项的网办深度应不低于三级（网上受理）"),
                severity="warning",
            )
        )
    if elements["pledge_allowed"] and not any(m["pledge_replaceable"] for m in elements["materials"]):
        warnings.append(
            Problem(
                "catalog.pledge_without_materials",
                "pledge_allowed",
                _("实行告知承诺，但未指明可以承诺替代的证明材料"),
                severity="warning",
            )
        )
    if elements["reform_mode"] == ReformMode.PLEDGE and not elements["pledge_allowed"]:
        warnings.append(
            Problem(
                "catalog.reform_pledge_not_allowed",
                "reform_mode",
                _("改革方式为实行告知承诺，但事项未开通告知承诺"),
                severity="warning",
            )
        )
    if elements["kind"] == ItemKind.LICENSING and not elements["legal_basis"].strip():
        warnings.append(
            Problem("catalog.legal_basis_missing", "legal_basis", _("行政许可事项应载明设定依据"), severity="warning")
        )
    if elements["fee_charged"] is True and not elements["fee_description"].strip():
        warnings.append(
            Problem(
                "catalog.fee_description_missing",
                "fee_description",
                _("收费事项应载明收费标准及依据"),
                severity="warning",
            )
        )
    if not elements["materials"] and elements["on_application"]:
        warnings.append(
            Problem("catalog.materials_missing", "materials", _("依申请事项未列明申请材料"), severity="warning")
        )
    if legal is not None and legal > 0 and promised == legal:
        warnings.append(
            Problem(
                "catalog.promise_not_compressed",
                "promised_days",
                _("承诺时限与法定时限相同，未压缩"),
                severity="warning",
            )
        )
    unlisted = [label for label in elements_unlisted(elements) if label != "申请材料"]
    if unlisted:
        warnings.append(
            Problem(
                "catalog.elements_unlisted",
                "fee_charged" if "是否收费" in unlisted else "materials",
                _("未列明：%s（办事指南显示“以窗口告知为准”，请部门补全）") % "、".join(unlisted),
                severity="warning",
            )
        )
    return errors + warnings


def elements_unlisted(elements: dict) -> list[str]:
    """The elements a published guide needs that the source does not list (未列明), as Chinese labels.

    The department completes them; until then the guide says "以窗口告知为准".
    """
    missing = []
    if elements.get("fee_charged") is None:
        missing.append("是否收费")
    if not (elements.get("delivery_window") or elements.get("delivery_post") or elements.get("delivery_electronic")):
        missing.append("出件方式")
    if elements.get("on_application", True) and not elements.get("materials"):
        missing.append("申请材料")
    for material in elements.get("materials") or []:
        if material.get("form") == "unknown":
            missing.append(f"材料“{material.get('name', '')}”的形式")
        if material.get("copies") is None:
            missing.append(f"材料“{material.get('name', '')}”的份数")
    return missing


def blocking(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
