"""Meixian demo catalog: the adopted list, its bundles and months of adjustments under blind review.

Every item, bundle, change, review and withdrawal goes through the catalog services
(``items_publish_baseline``, ``bundle_create``, ``item_change_propose``/``approve``/``reject``,
``item_withdraw``), so the rules the services check hold for the demo too. The only writes past
them are ``update()`` calls that move the proposal, review and publication timestamps back into the
months since adoption.

Idempotent: items, bundles and the adjustment history are each created only when missing. Dates of
the history are spread over the months since the list was adopted (the audit log keeps its own
real timestamps: it records when the demo wrote them).
"""

import datetime as dt
import random
import sys

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from tqdm import tqdm

from yiwang.org.models import Department, User

from .. import pdf, services
from ..elements import item_elements
from ..models import Bundle, ChangeStatus, ItemChange, ItemStatus, ServiceItem, ServiceItemVersion
from .dataset import ADJUSTMENTS, BUNDLES, FORM_FILES, SAMPLE_VALUES, WITHDRAWN
from .items import SEED, all_items

ADOPTION_REASON = "县政府办公室公布《眉县政务服务事项实施清单（2021年版）》（示意文号：眉政办发〔2021〕12号）"
ADOPTED_DAYS_AGO = 270

# Who maintains which department's items in the demo, and who may sit on a cross review.
MAINTAINERS = {"admin-approval": "zhoumin", "market-regulation": "wugang", "housing-construction": "sunlei"}
REVIEWERS = ("gaojie", "zhoumin", "wugang", "sunlei")


def _write(stdout, text: str) -> None:
    stdout.write(text + "\n")


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _attach_form_files(elements_list: list[dict]) -> None:
    """Blank forms and samples for a few high-frequency items, written to media storage once."""
    for elements in elements_list:
        if elements["name"] not in FORM_FILES:
            continue
        form_material = next((m for m in elements["materials"] if m["name"].endswith("申请表")), None)
        if form_material is None:
            continue
        blank = f"catalog/forms/{elements['code']}-blank.pdf"
        sample = f"catalog/samples/{elements['code']}-sample.pdf"
        if not default_storage.exists(blank):
            default_storage.save(
                blank,
                ContentFile(
                    pdf.form_pdf(name=elements["name"], code=elements["code"], form_fields=elements["form_fields"])
                ),
            )
        if not default_storage.exists(sample):
            default_storage.save(
                sample,
                ContentFile(
                    pdf.form_pdf(
                        name=elements["name"],
                        code=elements["code"],
                        form_fields=elements["form_fields"],
                        sample=SAMPLE_VALUES,
                    )
                ),
            )
        form_material["blank_form"] = blank
        form_material["sample"] = sample


def seed(*, stdout) -> None:
    """Load the demo catalog (county 300+, town 75, village 52 items), bundles and adjustment history."""
    admin = _user("admin") or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("catalog demo needs the org demo's administrator (run org's seed first)")
    known = set(Department.objects.values_list("code", flat=True))
    elements_list = [e for e in all_items() if {e["competent_department"], e["implementing_department"]} <= known]
    existing = set(ServiceItem.objects.values_list("code", flat=True))
    missing = [e for e in elements_list if e["code"] not in existing]
    if missing:
        _attach_form_files(missing)
        with tqdm(total=len(missing), desc="事项清单", file=sys.stderr, leave=False) as bar:
            services.items_publish_baseline(
                elements_list=missing, reason=ADOPTION_REASON, actor=admin, progress=bar.update
            )
        adopted = timezone.now() - dt.timedelta(days=ADOPTED_DAYS_AGO)
        codes = [e["code"] for e in missing]
        ServiceItem.objects.filter(code__in=codes).update(published_at=adopted)
        ServiceItemVersion.objects.filter(item__code__in=codes, number=1).update(
            proposed_at=adopted, published_at=adopted
        )
    levels = {level: ServiceItem.objects.filter(level=level).count() for level in ("county", "town", "village")}
    _write(
        stdout,
        f"事项清单：新建 {len(missing)}，现有 县级 {levels['county']} 项、镇级 {levels['town']} 项、村级 {levels['village']} 项",
    )

    created = _seed_bundles(admin)
    _write(stdout, f"一件事：新建 {created}，共 {Bundle.objects.count()} 个")

    history = _seed_history(admin)
    _write(stdout, f"动态调整：{history}")


def _seed_bundles(admin) -> int:
    by_name = {
        item.name: item.code
        for item in ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, level="county").only("name", "code")
    }
    departments = {d.code: d for d in Department.objects.all()}
    created = 0
    for spec in BUNDLES:
        if Bundle.objects.filter(code=spec["code"]).exists() or spec["lead"] not in departments:
            continue
        codes = [by_name[name] for name in spec["items"] if name in by_name]
        if len(codes) < 2:
            continue
        services.bundle_create(
            code=spec["code"],
            name=spec["name"],
            description=spec["description"],
            audience=spec["audience"],
            lead_department=departments[spec["lead"]],
            target_days=spec["target_days"],
            keywords=spec["keywords"],
            item_codes=codes,
            actor=admin,
        )
        created += 1
    return created


def _adjusted(elements: dict, kind: str) -> dict | None:
    """The elements after one kind of adjustment, or None when it does not apply to this item."""
    new = {**elements, "materials": [dict(m) for m in elements["materials"]]}
    if kind == "compress":
        if new["promised_days"] <= 1:
            return None
        new["promised_days"] = max(1, new["promised_days"] // 2)
    elif kind == "online":
        if new["online_depth"] == 2:
            new["online_depth"], new["visits_required"] = 3, 1
            new["visits_reason"] = new["visits_reason"] or "需现场核验原件"
            new["delivery_post"] = True
        elif new["online_depth"] == 3:
            new.update(online_depth=4, visits_required=0, visits_reason="", delivery_electronic=True)
        else:
            return None
    elif kind == "defer":
        target = next((m for m in new["materials"] if m["required"] and not m["key"] and not m["deferrable"]), None)
        if target is None:
            return None
        target["deferrable"] = True
    elif kind == "licence":
        targets = [m for m in new["materials"] if m["licence_type"] and not m["note"]]
        if not targets:
            return None
        for m in targets:
            m["note"] = "已实现电子证照共享，可由窗口直接调取，无需提交纸质材料"
    elif kind == "kiosk":
        if new["kiosk_available"] or new["online_depth"] < 3:
            return None
        new["kiosk_available"] = True
    elif kind == "cross":
        if new["cross_region"] or new["online_depth"] < 3:
            return None
        new["cross_region"] = True
    return new


def _reviewer_for(change: ItemChange) -> User | None:
    for username in REVIEWERS:
        user = _user(username)
        if user is not None and services.review_refusal(change, user) is None:
            return user
    return None


def _seed_history(admin) -> str:
    if ItemChange.objects.exists():
        return "已存在，跳过"
    rng = random.Random(SEED + 10)
    items = list(ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, level="county").order_by("code"))
    if not items:
        return "无事项"
    now = timezone.now()
    start = now - dt.timedelta(days=ADOPTED_DAYS_AGO - 20)
    span = (now - dt.timedelta(days=3) - start).total_seconds()
    picks = rng.sample(items, min(60, len(items)))
    moments = sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in picks)
    approved = rejected = pending = 0
    for index, (item, moment) in enumerate(zip(picks, moments, strict=True)):
        kinds = [k for k, _reason in ADJUSTMENTS]
        rng.shuffle(kinds)
        elements = item_elements(item)
        for kind in kinds:
            proposal = _adjusted(elements, kind)
            if proposal is not None:
                break
        else:
            continue
        reason = dict(ADJUSTMENTS)[kind]
        maintainer = _user(MAINTAINERS.get(item.implementing_department.code, "")) or _user(
            MAINTAINERS.get(item.competent_department.code, "")
        )
        proposer = maintainer or admin
        change = services.item_change_propose(elements=proposal, reason=reason, actor=proposer, item=item)
        reviewer = _reviewer_for(change)
        reviewed_at = moment + dt.timedelta(hours=rng.randint(4, 60))
        if index >= len(picks) - 6 or reviewer is None:
            pending += 1
            ItemChange.objects.filter(pk=change.pk).update(proposed_at=moment)
            continue
        if rng.random() < 0.12:
            services.item_change_reject(
                change=change,
                actor=reviewer,
                note=rng.choice(
                    [
                        "调整依据不充分，请补充部门论证材料后重新提交",
                        "与省级指导目录不一致，请核对后再报",
                        "材料要求表述不规范，请修改",
                    ]
                ),
            )
            rejected += 1
            ItemChange.objects.filter(pk=change.pk).update(proposed_at=moment, reviewed_at=reviewed_at)
            continue
        version = services.item_change_approve(change=change, actor=reviewer, note="同意发布")
        approved += 1
        ItemChange.objects.filter(pk=change.pk).update(proposed_at=moment, reviewed_at=reviewed_at)
        ServiceItemVersion.objects.filter(pk=version.pk).update(proposed_at=moment, published_at=reviewed_at)
        ServiceItem.objects.filter(pk=item.pk).update(published_at=reviewed_at)
    withdrawn = 0
    for name, reason in WITHDRAWN.items():
        item = ServiceItem.objects.filter(name=name, status=ItemStatus.PUBLISHED).first()
        if item is not None and not item.changes.filter(status=ChangeStatus.PENDING).exists():
            services.item_withdraw(item=item, reason=reason, actor=admin)
            withdrawn += 1
    return f"通过 {approved}，退回 {rejected}，待审 {pending}，停用 {withdrawn}"
