"""企业开办 for a company that does not exist yet (企业注销 from an existing company's code is in
``services.dissolution``; its names are importable from here too).

Plan 四（一）1: 企业登记、银行开户、公章刻制、申领发票和税控设备、员工参保登记、住房公积金缴存登记
“一表填报”; plan 三、2: 力争企业开设“1日内”办结 (measured in ``founding_selectors``).

- The founder (a natural person, or an agent for them) files one form: the company-to-be (name, type,
  capital, address in Meixian, scope, legal representative, shareholders) and the other five parts. No
  unified social credit code and no 营业执照 are asked for: they are what the bundle produces, so the
  bundle's material lines for 营业执照 are dropped and the lines the one form itself makes (申请表,
  章程, 名册, 登记表 …) are listed as generated, not asked for.
- The proposed name is checked (``founding_name_check``) against the registered entities and the other
  applications, for the county's name and for words the county may not accept.
- When the registration sub-case is approved the company gets its code from the county's range
  (``founding_conf.USCC_RANGE``, 县级默认), a ``credit.Entity`` is created, and every sub-case carries
  the code; the other sub-cases cannot be approved before (they wait for it).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from yiwang.cases.conf import cases_setting
from yiwang.cases.founding_conf import founding_setting
from yiwang.cases.founding_models import Founding, FoundingShareholder, UsccAssignment
from yiwang.cases.models import AgentKind, ApplicantKind, Case, CaseMaterial, Channel
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    CODE_ALPHABET,
    S,
    _conflict,
    _event,
    _notify_applicant,
    _required,
    _snap,
)

# 企业注销 lives in its own module; its names stay importable from here.
from yiwang.cases.services.dissolution import (  # noqa: F401
    Blocker,
    _dissolution_before_decision,
    dissolution_blockers,
    dissolution_bundle,
    dissolution_submit,
)
from yiwang.cases.services.intake import (
    ApplicantInput,
    SubmissionFiles,
    _check_files,
    _clean_applicant,
    _delete_files,
    _material_rows,
    _submitted_with_materials,
)
from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus
from yiwang.catalog.selectors import bundle_detail
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import USCC_ALPHABET, org_code_check_char, uscc_check_char, validate_id_number
from yiwang.org.models import Region
from yiwang.workdays.selectors import is_workday

SEAL_KINDS = ("公章", "财务专用章", "发票专用章", "合同专用章", "法定代表人名章")
TAXPAYER_KINDS = ("小规模纳税人", "一般纳税人")
INVOICE_KINDS = ("增值税普通发票（电子）", "增值税专用发票（电子）")
# Organisation forms a company name ends with (企业名称登记管理规定 第十条; 公司法 第七条).
LLC_FORMS = ("有限责任公司", "有限公司")
# Material lines the bundle produces itself: never asked of the founder.
PRODUCED_LICENCE = "营业执照"
# Material lines the one form generates (一表填报): the application forms of each part, the articles
# from the model articles (公司章程参考格式), the shareholder list and the name-declaration notice.
GENERATED_SUFFIXES = ("申请表", "申请书", "登记表", "备案表", "信息表", "花名册", "公司章程", "自主申报告知书")
CJK_NAME = re.compile(r"^[\u4e00-\u9fff（）]+$")


@dataclass
class ShareholderInput:
    name: str
    id_number: str
    contribution: str | Decimal


@dataclass
class FoundingInput:
    """The one form (一表填报): the company-to-be and the five other parts of 企业开办."""

    proposed_name: str
    company_type: str
    registered_capital: str | Decimal
    town: Region | None
    address_detail: str
    business_scope: str
    legal_representative: str
    legal_representative_id_number: str
    shareholders: list[ShareholderInput] = field(default_factory=list)
    seal_kinds: list[str] = field(default_factory=lambda: ["公章"])
    taxpayer_kind: str = "小规模纳税人"
    invoice_kinds: list[str] = field(default_factory=lambda: ["增值税普通发票（电子）"])
    invoice_monthly: int | str = 25
    tax_ukey: bool = True
    employees: int | str = 0
    fund_ratio: int | str = 5
    bank: str = ""
    bank_date: dt.date | str | None = None


@dataclass
class NameCheck:
    name: str
    core: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _normalise_name(name: str) -> str:
    return (name or "").strip().replace(" ", "").replace("\u3000", "").replace("(", "（").replace(")", "）")


def name_core(name: str) -> str:
    """The name without the county's name and the organisation form: 眉县秦岭果业有限公司 → 秦岭果业."""
    core = _normalise_name(name)
    for word in sorted(founding_setting("NAME_REGION_WORDS"), key=len, reverse=True):
        if core.startswith(word):
            core = core[len(word) :]
            break
        core = core.replace(f"（{word}）", "")
    for form in LLC_FORMS:
        if core.endswith(form):
            return core[: -len(form)]
    return core


def founding_name_check(*, name: str, exclude_case: Case | None = None) -> NameCheck:
    """企业名称自主申报 (企业名称登记管理规定〔2020〕): every problem of a proposed company name at once.

    Rules: Chinese characters only (第八条 规范汉字); the county's name at the start or in brackets
    before the organisation form (第六、七条; words in ``NAME_REGION_WORDS``, 县级默认); ends with
    有限公司 or 有限责任公司; a trade name of two characters or more (第八条); none of the county's
    forbidden words (第十一、十二条); not the same (same name without county and organisation form,
    第十七条) as a registered entity or as another 企业开办 application still open or approved.
    """
    from yiwang.credit.models import Entity

    clean = _normalise_name(name)
    problems: list[str] = []
    if not clean:
        return NameCheck(clean, "", ["请填写拟设企业名称"])
    if len(clean) > 50:
        problems.append("企业名称不能超过 50 个字")
    if not CJK_NAME.match(clean):
        problems.append("企业名称应使用规范汉字，不能含字母、数字或符号（括号除外）")
    words = founding_setting("NAME_REGION_WORDS")
    if not (any(clean.startswith(w) for w in words) or any(f"（{w}）" in clean for w in words)):
        problems.append(
            f"企业名称应冠以“{words[-1]}”（如“{words[-1]}某某果业有限公司”），或在组织形式前加“（{words[-1]}）”"
        )
    if not clean.endswith(LLC_FORMS):
        problems.append("有限责任公司的名称应以“有限公司”或“有限责任公司”结尾")
    core = name_core(clean)
    if len(core) < 2:
        problems.append("企业名称中应有两个字以上的字号")
    for word, reason in founding_setting("NAME_FORBIDDEN_WORDS").items():
        if word in clean:
            problems.append(f"含有“{word}”：{reason}")
    if len(core) >= 2:
        taken = next((e for e in Entity.objects.filter(name__contains=core) if name_core(e.name) == core), None)
        if taken is not None:
            problems.append(f"与已登记的“{taken.name}”重名")
        else:
            others = Founding.objects.filter(name_core=core).exclude(
                case__state__in=[S.REJECTED, S.WITHDRAWN, S.DECIDED_DENIED]
            )
            if exclude_case is not None:
                others = others.exclude(case=exclude_case)
            other = others.select_related("case").first()
            if other is not None:
                problems.append(f"与正在办理的企业开办申请“{other.proposed_name}”重名")
    return NameCheck(clean, core, problems)


def _decimal(value, label: str, errors: dict, key: str, *, maximum=Decimal("100000000")) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors[key] = f"{label}应为数字"
        return None
    if not number.is_finite() or number <= 0:
        errors[key] = f"{label}应大于 0"
        return None
    if number >= maximum:
        errors[key] = f"{label}过大"
        return None
    if number != number.quantize(Decimal("0.01")):
        errors[key] = f"{label}最多保留两位小数"
        return None
    return number.quantize(Decimal("0.01"))


def _int(value, label: str, errors: dict, key: str, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[key] = f"{label}应为整数"
        return None
    if not low <= number <= high:
        errors[key] = f"{label}应在 {low} 到 {high} 之间"
        return None
    return number


def _id_error(number: str, label: str) -> str | None:
    try:
        validate_id_number(number)
    except ValidationError as error:
        return f"{label}：{error.messages[0]}"
    return None


def _check_founding(data: FoundingInput, county: Region, today: dt.date) -> tuple[dict, list[dict], dict]:
    """Every field of the one form, all problems at once (``founding.form_invalid`` with ``errors``)."""
    errors: dict[str, str] = {}
    types = founding_setting("COMPANY_TYPES")
    kind = types.get(data.company_type)
    if kind is None:
        errors["company_type"] = "请选择企业类型"
    capital = _decimal(data.registered_capital, "注册资本（万元）", errors, "registered_capital")
    town = data.town
    if town is None or town.level != Region.Level.TOWN or not town.path.startswith(county.path):
        errors["town"] = f"请选择{county.name}的镇（街道）"
    detail = (data.address_detail or "").strip()
    if not detail:
        errors["address_detail"] = "请填写住所（村、社区、街道门牌）"
    elif len(detail) > 120:
        errors["address_detail"] = "住所不能超过 120 个字"
    scope = (data.business_scope or "").strip()
    if not scope:
        errors["business_scope"] = "请填写经营范围"
    elif len(scope) > 1000:
        errors["business_scope"] = "经营范围不能超过 1000 个字"
    rep = (data.legal_representative or "").strip()
    rep_id = (data.legal_representative_id_number or "").strip().upper()
    if not rep or len(rep) > 30:
        errors["legal_representative"] = "请填写法定代表人姓名（30 字以内）"
    problem = _id_error(rep_id, "法定代表人身份证号")
    if problem:
        errors["legal_representative_id_number"] = problem

    holders: list[dict] = []
    for n, holder in enumerate(data.shareholders, start=1):
        name, number = (holder.name or "").strip(), (holder.id_number or "").strip().upper()
        if not name and not number and not str(holder.contribution or "").strip():
            continue  # an empty row of the form
        if not name or len(name) > 30:
            errors[f"shareholder_{n}_name"] = f"第{n}位股东：请填写姓名（30 字以内）"
        problem = _id_error(number, f"第{n}位股东身份证号")
        if problem:
            errors[f"shareholder_{n}_id_number"] = problem
        amount = _decimal(holder.contribution, f"第{n}位股东认缴出资（万元）", errors, f"shareholder_{n}_contribution")
        holders.append({"name": name, "id_number": number, "contribution": amount})
    if kind is not None and not kind["min"] <= len(holders) <= kind["max"]:
        want = f"{kind['min']}位" if kind["min"] == kind["max"] else f"{kind['min']}至{kind['max']}位"
        errors["shareholders"] = f"{kind['label']}应有{want}股东，现填写了{len(holders)}位"
    numbers = [h["id_number"] for h in holders if h["id_number"]]
    if len(set(numbers)) != len(numbers):
        errors["shareholders"] = "同一股东不能填写两次（身份证号重复）"
    amounts = [h["contribution"] for h in holders]
    if capital is not None and holders and all(a is not None for a in amounts) and sum(amounts) != capital:
        errors["registered_capital"] = f"股东认缴出资合计 {sum(amounts)} 万元，与注册资本 {capital} 万元不一致"

    seals = list(dict.fromkeys(data.seal_kinds or []))
    if any(s not in SEAL_KINDS for s in seals):
        errors["seal_kinds"] = "印章种类不正确"
    elif "公章" not in seals:
        errors["seal_kinds"] = "印章刻制应包括公章"
    if data.taxpayer_kind not in TAXPAYER_KINDS:
        errors["taxpayer_kind"] = "请选择纳税人类型"
    invoices = list(dict.fromkeys(data.invoice_kinds or []))
    if any(i not in INVOICE_KINDS for i in invoices):
        errors["invoice_kinds"] = "发票种类不正确"
    monthly = _int(data.invoice_monthly, "每月发票用量（份）", errors, "invoice_monthly", 0, 1000) if invoices else 0
    employees = _int(data.employees, "参保职工人数", errors, "employees", 0, 10000)
    low, high = int(founding_setting("FUND_RATIO_MIN")), int(founding_setting("FUND_RATIO_MAX"))
    ratio = _int(data.fund_ratio, "住房公积金缴存比例（%）", errors, "fund_ratio", low, high)
    if data.bank not in founding_setting("BANKS"):
        errors["bank"] = "请选择开户银行"
    bank_date = data.bank_date
    if isinstance(bank_date, str):
        try:
            bank_date = dt.date.fromisoformat(bank_date.strip())
        except ValueError:
            bank_date = None
    if not isinstance(bank_date, dt.date):
        errors["bank_date"] = "请选择存在的预约开户日期（如 2026-03-02）"
    elif bank_date < today or (bank_date - today).days > 30:
        errors["bank_date"] = "预约开户日期应在今天起 30 天内"
    elif not is_workday(bank_date):
        errors["bank_date"] = f"{bank_date:%Y年%m月%d日}不是工作日，银行对公业务不办理，请另选日期"
    company = {
        "company_type": data.company_type,
        "registered_capital": capital,
        "town": town,
        "address": f"{county.name}{town.name if town else ''}{detail}",
        "business_scope": scope,
        "legal_representative": rep,
        "legal_representative_id_number": rep_id,
    }
    parts = {
        "seal": {"kinds": seals},
        "tax": {
            "taxpayer_kind": data.taxpayer_kind,
            "invoice_kinds": invoices,
            "invoice_monthly": monthly,
            "ukey": bool(data.tax_ukey),
        },
        "social_insurance": {"employees": employees},
        "housing_fund": {"employees": employees, "ratio": ratio},
        "bank": {"bank": data.bank, "date": bank_date.isoformat() if isinstance(bank_date, dt.date) else ""},
    }
    return company, holders, parts if not errors else {"errors": errors}


def _founding_materials(case: Case, bundle: Bundle) -> tuple[list[CaseMaterial], list[str]]:
    """The bundle's merged list without what it produces (营业执照) and what the one form generates."""
    rows, generated = [], []
    for row in _material_rows(case, spec=None, bundle=bundle):
        if row.licence_type == PRODUCED_LICENCE or PRODUCED_LICENCE in row.name:
            continue
        if row.name.endswith(GENERATED_SUFFIXES):
            generated.append(row.name)
            continue
        rows.append(row)
    for position, row in enumerate(rows, start=1):
        row.position = position
        row.code = f"B{position:02d}"
    return rows, generated


def opening_bundle() -> Bundle | None:
    """The published 企业开办 bundle (``YIWANG_CASES["ENTERPRISE_OPENING_BUNDLE"]``)."""
    bundle = Bundle.objects.filter(code=cases_setting("ENTERPRISE_OPENING_BUNDLE")).first()
    if bundle is None or bundle.status != BundleStatus.PUBLISHED:
        return None
    return bundle_detail(bundle.code)


def is_registration_item(item) -> bool:
    """The bundle's registration item: the one whose name ends with 设立登记 (有限责任公司设立登记)."""
    return item is not None and item.name.endswith("设立登记")


def _refuse_name(name: NameCheck) -> None:
    if not name.ok:
        raise ApplicationError(
            "founding.name_refused",
            "企业名称不能使用：" + "；".join(name.problems),
            details={"field": "proposed_name", "problems": name.problems},
        )


def _lock_name(core: str) -> None:
    """Hold a lock on this name core until the transaction ends (PostgreSQL; SQLite lets one writer at
    a time, and a transaction that read before another's write cannot write after it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"cases.founding.name:{core}"])


def founding_submit(
    *,
    actor,
    founder: ApplicantInput,
    data: FoundingInput,
    as_agent: bool = False,
    submission_token: str | None = None,
    files: SubmissionFiles | None = None,
) -> Case:
    """File 企业开办 for a company-to-be: one form, one case, fanned out at acceptance.

    Rules: the founder is a natural person with a valid ID number; applying in person they are a
    shareholder or the legal representative, otherwise they apply as agent (代办); the name passes
    ``founding_name_check``; the form passes ``_check_founding`` (ID numbers GB 11643, shareholders'
    subscriptions add up to the registered capital, the address in a town of the county, a bank
    appointment on a working day …). A submission token is used once.
    Errors: ``case.item_not_available``, ``case.id_number_invalid``, ``founding.name_refused`` (all the
    name's problems), ``founding.form_invalid`` (``details["errors"]`` by field),
    ``founding.founder_not_party``, ``case.duplicate_submission`` and the upload errors.
    """
    bundle = opening_bundle()
    if bundle is None:
        raise _conflict("case.item_not_available", "企业开办当前不可申请")
    items = [bi.item for bi in bundle.bundle_items.all()]
    if any(i.status != ItemStatus.PUBLISHED for i in items):
        raise _conflict("case.item_not_available", "企业开办中有事项已停用，暂不可申请")
    if not any(is_registration_item(i) for i in items):
        raise _conflict("case.item_not_available", "企业开办未配置设立登记事项")
    founder = _clean_applicant(founder, "person")
    county = bundle.region
    today = _common._today()
    company, holders, parts = _check_founding(data, county, today)
    name = founding_name_check(name=data.proposed_name)
    _refuse_name(name)
    if "errors" in parts:
        errors = parts["errors"]
        raise ApplicationError(
            "founding.form_invalid",
            "企业开办申请表填写有误：" + "；".join(errors.values()),
            details={"field": "form_data", "errors": errors},
        )
    parties = {company["legal_representative_id_number"], *(h["id_number"] for h in holders)}
    if not as_agent and founder.id_number not in parties:
        raise _required(
            "founding.founder_not_party",
            "以本人身份申请的，申请人应为股东或法定代表人；受他人委托办理请选择“受托代办”",
            "as_agent",
        )
    if submission_token and Case.objects.filter(submission_token=submission_token).exists():
        existing = Case.objects.get(submission_token=submission_token)
        raise _conflict(
            "case.duplicate_submission",
            f"该申请已提交过（办件编号 {existing.number}），请勿重复提交",
            number=existing.number,
        )
    checked = _check_files(files)
    now = _common._now()
    stored: list[str] = []
    try:
        with transaction.atomic():
            # Two founders sending the same name at the same moment: the name is checked again under a
            # lock on it, so the second waits for the first to commit and then finds its application.
            _lock_name(name.core)
            _refuse_name(founding_name_check(name=data.proposed_name))
            case = Case(
                number=f"T{secrets.token_hex(10)}",
                verification_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
                region=county,
                department=bundle.lead_department,
                channel=Channel.ONLINE,
                bundle=bundle,
                title=f"{bundle.name}：{name.name}",
                applicant_kind=ApplicantKind.PERSON,
                applicant_name=founder.name,
                applicant_id_number=founder.id_number,
                applicant_phone=founder.phone or None,
                applicant_user=founder.user or (actor if getattr(actor, "is_authenticated", False) else None),
                agent_kind=AgentKind.PROXY if as_agent else "",
                agent_user=actor if as_agent and getattr(actor, "is_authenticated", False) else None,
                form_data={
                    "proposed_name": name.name,
                    "company_type": founding_setting("COMPANY_TYPES")[company["company_type"]]["label"],
                    "registered_capital": f"{company['registered_capital']}",
                    "entity_address": company["address"],
                    "business_scope": company["business_scope"],
                    "legal_representative": company["legal_representative"],
                },
                state=S.SUBMITTED,
                promised_days=bundle.target_days or max(i.promised_days for i in items),
                legal_days=max(i.legal_days or 0 for i in items),
                delivery_method="electronic",
                visits=0,
                submission_token=submission_token or None,
                submitted_at=now,
            )
            case.save(force_insert=True)
            case.number = f"YW{timezone.localtime(now):%Y%m%d}{case.pk:07d}"
            case.save(update_fields=["number"])
            founding = Founding.objects.create(
                case=case,
                region_id=case.region_id,
                proposed_name=name.name,
                name_core=name.core,
                company_type=company["company_type"],
                registered_capital=company["registered_capital"],
                town=company["town"],
                address=company["address"],
                business_scope=company["business_scope"],
                legal_representative=company["legal_representative"],
                legal_representative_id_number=company["legal_representative_id_number"],
                parts={**parts, "generated_materials": []},
            )
            FoundingShareholder.objects.bulk_create(
                FoundingShareholder(
                    founding=founding,
                    region_id=case.region_id,
                    position=n,
                    name=h["name"],
                    id_number=h["id_number"],
                    contribution=h["contribution"],
                )
                for n, h in enumerate(holders, start=1)
            )
            rows, generated = _founding_materials(case, bundle)
            founding.parts["generated_materials"] = generated
            founding.save(update_fields=["parts"])
            licences = _submitted_with_materials(
                case, rows, checked, actor=actor, stored=stored, now=now, region_code=county.code
            )
            audit_record(
                actor=actor,
                action="case.founding_submitted",
                obj=case,
                after=_snap(case),
                details={
                    "bundle": bundle.code,
                    "proposed_name": name.name,
                    "company_type": company["company_type"],
                    "shareholders": len(holders),
                    "agent": as_agent,
                    "licences": licences,
                    "uploads": sum(len(v) for v in checked.values()),
                },
            )
            _event(case, "submitted", f"提交企业开办申请（一表填报）：拟设“{name.name}”", actor, at=now)
            _notify_applicant(case, "cases.submitted", "submitted", code=case.verification_code)
    except IntegrityError:
        _delete_files(stored)
        if submission_token and Case.objects.filter(submission_token=submission_token).exists():
            existing = Case.objects.get(submission_token=submission_token)
            raise _conflict(
                "case.duplicate_submission",
                f"该申请已提交过（办件编号 {existing.number}），请勿重复提交",
                number=existing.number,
            ) from None
        raise
    except BaseException:
        _delete_files(stored)
        raise
    return case


# --- 统一社会信用代码 -------------------------------------------------------------------------------


def uscc_range() -> dict:
    """The configured range, checked: ``prefix`` (9 + 1 + the county's 6-digit code + the first
    characters of the organisation code, 10–15 characters), ``first`` ≤ ``last`` within the serial's
    width. A bad setting is an error naming the setting, never a wrong code."""
    config = founding_setting("USCC_RANGE")
    prefix = str(config.get("prefix", "")).upper()
    width = 16 - len(prefix)
    first, last = int(config.get("first", 1)), int(config.get("last", 0))
    if not (
        10 <= len(prefix) <= 15
        and prefix[:2] in ("91", "92", "93")
        and prefix[2:8].isdigit()
        and all(ch in USCC_ALPHABET for ch in prefix)
    ):
        raise ApplicationError(
            "founding.uscc_range_invalid",
            f"统一社会信用代码号段配置不正确（YIWANG_FOUNDING.USCC_RANGE 前缀“{prefix}”）",
        )
    if not 1 <= first <= last < 10**width:
        raise ApplicationError(
            "founding.uscc_range_invalid", f"统一社会信用代码号段配置不正确（序号 {first}–{last}，{width} 位）"
        )
    return {"prefix": prefix, "width": width, "first": first, "last": last}


def uscc_for_serial(prefix: str, width: int, serial: int) -> str:
    """Prefix + serial → the 18-character code with the GB 11714 and GB 32100 check characters."""
    body = f"{prefix}{serial:0{width}d}"
    org_body = body[8:16]
    body17 = body + org_code_check_char(org_body)
    return body17 + uscc_check_char(body17)


def uscc_assign(*, founding: Founding, actor, now: dt.datetime) -> UsccAssignment:
    """The next unused code of the county's range (县级默认, ``USCC_RANGE``) for an approved registration.

    Codes are taken in order and recorded in the append-only ``UsccAssignment`` ledger (unique code,
    unique serial), so none is handed out twice, even after a case is withdrawn or deleted; a code an
    entity already holds (registered elsewhere) is skipped. Errors: ``founding.uscc_range_exhausted``.
    """
    from yiwang.credit.models import Entity

    config = uscc_range()
    prefix, width = config["prefix"], config["width"]
    for _attempt in range(5):
        top = UsccAssignment.objects.filter(prefix=prefix).aggregate(top=Max("serial"))["top"]
        serial = max(config["first"], (top or 0) + 1)
        while serial <= config["last"]:
            code = uscc_for_serial(prefix, width, serial)
            if not Entity.objects.filter(uscc=code).exists():
                break
            serial += 1
        if serial > config["last"]:
            raise _conflict(
                "founding.uscc_range_exhausted",
                f"本县统一社会信用代码号段已用完（{prefix} 序号 {config['first']}–{config['last']}），"
                "请系统管理员在 YIWANG_FOUNDING.USCC_RANGE 中配置新号段",
                prefix=prefix,
            )
        try:
            with transaction.atomic():
                return UsccAssignment.objects.create(
                    uscc=code,
                    prefix=prefix,
                    serial=serial,
                    founding=founding,
                    region_id=founding.case.region_id,
                    case_number=founding.case.number,
                    company_name=founding.proposed_name,
                    assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
                    assigned_at=now,
                )
        except IntegrityError:
            continue  # another approval took this serial at the same moment: take the next
    raise _conflict("founding.uscc_busy", "赋码繁忙，请稍后重试")


def _registration_approved(case: Case, founding: Founding, *, actor) -> None:
    """Assign the code, create the market entity, and carry the code into every sub-case."""
    from yiwang.credit.models import Entity
    from yiwang.credit.services.entities import entity_create

    now = _common._now()
    assignment = uscc_assign(founding=founding, actor=actor, now=now)
    entity = entity_create(
        actor=actor,
        uscc=assignment.uscc,
        name=founding.proposed_name,
        kind=Entity.Kind.ENTERPRISE,
        region=founding.case.region,
        town=founding.town,
        address=founding.address,
        legal_representative=founding.legal_representative,
        registered_capital=founding.registered_capital,
        established_on=timezone.localdate(now),
        tags=["新设企业"],
    )
    founding.uscc = assignment.uscc
    founding.uscc_assigned_at = now
    founding.entity = entity
    founding.save(update_fields=["uscc", "uscc_assigned_at", "entity"])
    parent = founding.case
    Case.objects.filter(pk=parent.pk).update(applicant_uscc=assignment.uscc)
    # The sub-cases act for the company now: its name and code (the founder stays the parent's applicant).
    parent.children.update(
        applicant_kind=ApplicantKind.ENTERPRISE, applicant_name=founding.proposed_name, applicant_uscc=assignment.uscc
    )
    case.applicant_kind = ApplicantKind.ENTERPRISE
    case.applicant_name = founding.proposed_name
    case.applicant_uscc = assignment.uscc
    audit_record(
        actor=actor,
        action="case.uscc_assigned",
        obj=parent,
        after={"uscc": assignment.uscc},
        details={
            "serial": assignment.serial,
            "prefix": assignment.prefix,
            "entity": entity.pk,
            "sub_case": case.number,
        },
    )
    _event(parent, "uscc_assigned", f"设立登记已核准，统一社会信用代码：{assignment.uscc}", actor, at=now)
    for child in parent.children.exclude(pk=case.pk):
        _event(child, "uscc_assigned", f"企业已登记，统一社会信用代码 {assignment.uscc}，可以办结", actor, public=False)


def founding_before_decision(*, case: Case, approved: bool, actor) -> None:
    """Called by ``case_decide`` under the case's lock, before anything is written.

    The registration sub-case's approval assigns the code; any other sub-case of a founding cannot be
    approved before the company has one (``founding.awaiting_uscc``, 409): a seal, an invoice, social
    insurance, a fund account or a bank account are for a company that exists.
    """
    if case.parent_id is None:
        return
    if case.parent.bundle_id and case.parent.bundle.code == founding_setting("DISSOLUTION_BUNDLE"):
        _dissolution_before_decision(case, approved=approved, actor=actor)
        return
    founding = Founding.objects.select_for_update().select_related("case").filter(case_id=case.parent_id).first()
    if founding is None or not approved:
        return
    if is_registration_item(case.item):
        if not founding.uscc:
            _registration_approved(case, founding, actor=actor)
        return
    if not founding.uscc:
        raise _conflict(
            "founding.awaiting_uscc",
            f"“{founding.proposed_name}”尚未完成设立登记、未赋统一社会信用代码，本事项须待登记核准后办结",
            case=case.number,
        )
