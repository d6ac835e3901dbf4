import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage
from yiwang.credit import measures, selectors, services
from yiwang.credit.models import Clue, FinancingNeed
from yiwang.credit.tests.factories import EntityFactory
from yiwang.measures.selectors import measures_check
from yiwang.workdays.seeding import seed_official_calendar
from yiwang.workdays.sweep import clocks_sweep

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def calendar(db):
    from yiwang.workdays import calendar as cal

    cal.reset()
    seed_official_calendar()
    yield
    cal.reset()


@pytest.fixture
def orchard(meixian):
    return EntityFactory(
        name="眉县金渠镇宏达猕猴桃专业合作社", region=meixian.county, town=meixian.huaiya, industry_code="A0151"
    )


def _penalty(entity, dept, actor, title="农药残留超标"):
    return services.credit_record_create(
        entity=entity, kind="penalty", title=title, department=dept, decided_on=TODAY, actor=actor
    )


def test_a_second_penalty_pushes_a_clue_with_a_deadline(orchard, dept_a, handler_a):
    _penalty(orchard, dept_a, handler_a)
    assert not Clue.objects.exists()
    _penalty(orchard, dept_a, handler_a, title="冷库温控记录缺失")
    clue = Clue.objects.get()
    assert clue.rule_code == "repeat-penalty" and clue.department == dept_a and clue.state == "pushed"
    assert clue.clock.days == 10 and clue.due_on == clue.clock.due_on
    assert InboxMessage.objects.filter(user=handler_a, template="credit.clue_pushed").exists()
    _penalty(orchard, dept_a, handler_a, title="第三次")  # same quarter: no second clue
    assert Clue.objects.count() == 1


def test_handle_then_feedback_on_time(orchard, dept_a, handler_a):
    services.credit_record_create(
        entity=orchard, kind="dishonesty", title="虚报冒领补贴", department=dept_a, decided_on=TODAY, actor=handler_a
    )
    clue = Clue.objects.get(rule_code="dishonesty")
    with pytest.raises(ApplicationError) as error:
        services.clue_feedback(clue=clue, finding="confirmed", feedback="已处理", actor=handler_a)
    assert error.value.code == "credit.clue_state"
    services.clue_handle(clue=clue, measures_taken="约谈负责人，责令退回补贴", actor=handler_a)
    services.clue_feedback(clue=clue, finding="confirmed", feedback="补贴已退回", actor=handler_a)
    clue.refresh_from_db()
    assert clue.state == "fed_back" and clue.handled_on_time is True and clue.clock.state == "stopped"
    figures = selectors.clue_figures()
    assert (figures["count"], figures["handled"], figures["fed_back"], figures["handled_on_time"]) == (1, 1, 1, 1)


def test_the_sweep_announces_an_overdue_clue(orchard, dept_a, handler_a):
    services.credit_record_create(
        entity=orchard, kind="dishonesty", title="虚报冒领补贴", department=dept_a, decided_on=TODAY, actor=handler_a
    )
    clue = Clue.objects.get()
    clocks_sweep(today=clue.due_on)
    clocks_sweep(today=clue.due_on)
    assert InboxMessage.objects.filter(user=handler_a, template="credit.clue_due_soon").count() == 1
    clocks_sweep(today=clue.due_on + dt.timedelta(days=7))
    clocks_sweep(today=clue.due_on + dt.timedelta(days=8))
    assert InboxMessage.objects.filter(user=handler_a, template="credit.clue_overdue").count() == 1


def test_a_fall_into_class_d_pushes_a_clue(orchard, dept_a, handler_a):
    services.credit_record_create(
        entity=orchard,
        kind="blacklist",
        named_list="ip",
        title="假冒“眉县猕猴桃”地理标志",
        department=dept_a,
        decided_on=TODAY,
        actor=handler_a,
    )
    assert set(Clue.objects.values_list("rule_code", flat=True)) == {"dishonesty", "class-drop"}


def test_complaints_naming_an_entity_raise_a_clue(orchard, meixian, dept_a):
    from yiwang.hotline.models import Appeal
    from yiwang.org.tests.factories import DepartmentFactory

    DepartmentFactory(code="market-regulation", name="眉县市场监督管理局", region=meixian.county)
    for n in range(3):
        Appeal.objects.create(
            code=f"T{n:05d}",
            region=meixian.county,
            channel="phone",
            kind="complaint",
            title="收购猕猴桃压级压价",
            content=f"{orchard.name}收购时压级压价，第{n}次反映",
        )
    assert services.clues_scan_appeals() == 1
    clue = Clue.objects.get(rule_code="appeals")
    assert clue.department.code == "market-regulation" and len(clue.evidence["appeals"]) == 3
    assert services.clues_scan_appeals() == 0


def _complaint(meixian, n, content, kind="complaint"):
    from yiwang.hotline.models import Appeal

    return Appeal.objects.create(
        code=f"T{n:05d}", region=meixian.county, channel="phone", kind=kind, title="投诉", content=content
    )


def test_the_complaint_scan_is_incremental(orchard, meixian, dept_a):
    from yiwang.credit.models import AppealMention, ScanMark
    from yiwang.org.tests.factories import DepartmentFactory

    DepartmentFactory(code="market-regulation", name="眉县市场监督管理局", region=meixian.county)
    other = EntityFactory(name="眉县金渠镇农家乐", region=meixian.county)
    _complaint(meixian, 1, f"{orchard.name}压级压价")
    _complaint(meixian, 2, f"{orchard.name}与{other.name}都有问题")
    _complaint(meixian, 3, f"咨询{orchard.name}收购时间", kind="consult")  # not a complaint: never counted
    assert services.clues_scan_appeals() == 0
    mark = ScanMark.objects.get()
    assert (mark.last_appeals, mark.last_entities) == (3, 2)
    assert AppealMention.objects.filter(entity=orchard).count() == 2
    assert AppealMention.objects.filter(entity=other).count() == 1
    # nothing changed: the second sweep scans no appeal and no entity
    assert services.clues_scan_appeals() == 0
    mark.refresh_from_db()
    assert (mark.last_appeals, mark.last_entities) == (0, 0)
    # one new complaint: only it is matched, and the third mention raises the clue
    _complaint(meixian, 4, f"{orchard.name}短斤少两", kind="report")
    assert services.clues_scan_appeals() == 1
    mark.refresh_from_db()
    assert (mark.last_appeals, mark.last_entities) == (1, 0)
    assert Clue.objects.get(rule_code="appeals").entity == orchard
    # an entity registered later is matched against the complaints already scanned
    late = EntityFactory(name="眉县齐镇冷库有限公司", region=meixian.county)
    _complaint(meixian, 5, f"{late.name}冷库漏氨")
    services.clues_scan_appeals()
    mark.refresh_from_db()
    assert (mark.last_appeals, mark.last_entities) == (1, 1)
    assert AppealMention.objects.filter(entity=late).count() == 1
    assert AppealMention.objects.count() == 5


def test_financing_matches_by_amount_industry_and_class(orchard, meixian, handler_a):
    services.loan_product_publish(
        bank="眉县农商银行",
        name="猕猴桃贷",
        region=meixian.county,
        min_amount=5,
        max_amount=50,
        industries=["A"],
        classes=["A", "B"],
        actor=None,
    )
    services.loan_product_publish(
        bank="邮储银行眉县支行", name="商户贷", region=meixian.county, max_amount=30, industries=["H", "F"], actor=None
    )
    need = services.financing_need_publish(entity=orchard, amount=20, purpose="新建冷库", actor=None)
    assert need.match_count == 1 and need.state == "matched"
    too_big = services.financing_need_publish(entity=orchard, amount=80, purpose="扩建", actor=None)
    assert too_big.match_count == 0 and too_big.state == "open"
    product = need.matches.get().product
    services.loan_grant(need=need, product=product, amount=20, actor=None)
    later = services.loan_product_publish(
        bank="建设银行眉县支行", name="善新贷", region=meixian.county, max_amount=100, actor=None
    )
    too_big.refresh_from_db()
    assert too_big.match_count == 1 and too_big.matches.get().product == later
    figures = selectors.financing_figures()
    assert (figures["count"], figures["matched"], figures["granted"], figures["granted_amount"]) == (2, 2, 1, 20)
    with pytest.raises(ApplicationError) as error:
        services.loan_grant(need=need, product=product, amount=5, actor=None)
    assert error.value.code == "credit.need_closed"


def test_a_d_class_entity_matches_no_default_product(orchard, meixian, dept_a, handler_a):
    services.credit_record_create(
        entity=orchard,
        kind="blacklist",
        named_list="wage_arrears",
        title="拖欠农民工工资",
        department=dept_a,
        decided_on=TODAY,
        actor=handler_a,
    )
    services.loan_product_publish(bank="眉县农商银行", name="惠农贷", region=meixian.county, max_amount=50, actor=None)
    orchard.refresh_from_db()
    need = services.financing_need_publish(entity=orchard, amount=10, purpose="购置农资", actor=None)
    assert need.match_count == 0


@override_settings(YIWANG_CREDIT={"LOAN_DEFAULT_CLASSES": ["A"]})
def test_default_loan_classes_are_configuration(orchard, meixian):
    services.loan_product_publish(bank="眉县农商银行", name="惠农贷", region=meixian.county, max_amount=50, actor=None)
    assert services.financing_need_publish(entity=orchard, amount=10, purpose="农资", actor=None).match_count == 0


def test_rebuilt_roll_ups_equal_the_incremental_facts(orchard, meixian, dept_a, handler_a, enterprise_user):
    other = services.entity_create(
        actor=None, uscc=enterprise_user.uscc, name="眉县汤峪温泉农家乐", region=meixian.county
    )
    _penalty(orchard, dept_a, handler_a)
    record = _penalty(orchard, dept_a, handler_a, title="冷库未备案")
    services.credit_record_revoke(record=record, reason="复议撤销", actor=handler_a)
    dishonest = services.credit_record_create(
        entity=other,
        kind="dishonesty",
        title="虚报冒领补贴",
        department=dept_a,
        decided_on=TODAY - dt.timedelta(days=400),
        expires_on=TODAY + dt.timedelta(days=30),
        actor=handler_a,
    )
    repair = services.credit_repair_request(
        record=dishonest, statement="已退回", commitment=True, actor=enterprise_user
    )
    services.credit_repair_decide(repair=repair, approve=True, opinion="同意", actor=handler_a)
    clue = Clue.objects.first()
    services.clue_handle(clue=clue, measures_taken="现场检查", actor=handler_a)
    services.clue_feedback(clue=clue, finding="not_confirmed", feedback="不属实", actor=handler_a)
    services.loan_product_publish(bank="眉县农商银行", name="惠农贷", region=meixian.county, max_amount=50, actor=None)
    need = services.financing_need_publish(entity=orchard, amount=10, purpose="农资", actor=None)
    services.loan_grant(need=need, product=need.matches.get().product, amount=8, actor=None)
    metrics = [measures.RECORDS, measures.CLASS_MOVES, measures.CLUES, measures.FINANCING]
    assert measures_check(metrics=metrics) == []
    distribution = selectors.class_distribution()
    assert sum(distribution.values()) == 1  # the factory-made orchard has no history row; `other` has
    assert FinancingNeed.objects.get().granted_amount == 8
    assert timezone.now()


@pytest.mark.parametrize("amount", [0, -5, 10_000_001])
def test_amounts_out_of_range_are_refused(orchard, amount):
    with pytest.raises(ApplicationError) as error:
        services.financing_need_publish(entity=orchard, amount=amount, purpose="农资", actor=None)
    assert error.value.code == "credit.amount_invalid"
    assert not FinancingNeed.objects.exists()


def test_inspection_results_reach_the_clue_rules_as_records(orchard, dept_a, handler_a):
    # a published inspection result with problems is a record of kind "inspection" (inspections app)
    for n, kind in enumerate(["inspection", "penalty"]):
        services.credit_record_create(
            entity=orchard,
            kind=kind,
            title=f"双随机抽查发现问题{n}",
            department=dept_a,
            decided_on=TODAY,
            source=f"inspections.task:{n}" if kind == "inspection" else "",
            actor=handler_a,
        )
    assert Clue.objects.filter(rule_code="repeat-penalty", entity=orchard).count() == 1
    from yiwang.credit.conf import credit_setting

    assert not [r for r in credit_setting("CLUE_RULES") if r["source"] not in ("records", "class", "appeals")]


def test_names_are_found_in_one_reading_of_the_text():
    from yiwang.credit.services.clues import _NameIndex

    index = _NameIndex(
        [
            (1, "眉县秦岭猕猴桃合作社"),
            (2, "眉县秦岭猕猴桃冷链有限公司"),  # same first four characters as 1
            (3, "金渠镇_农家乐"),  # an underscore is a character, not LIKE's wildcard
            (4, "好又多"),  # shorter than four: too ambiguous, never matched
            (5, "  齐镇冷库  "),
        ]
    )
    assert index.find("眉县秦岭猕猴桃冷链有限公司压价，眉县秦岭猕猴桃冷链有限公司又压价") == {2}
    assert index.find("眉县秦岭猕猴桃合作社和眉县秦岭猕猴桃冷链有限公司") == {1, 2}
    assert index.find("金渠镇X农家乐噪音") == set() and index.find("金渠镇_农家乐噪音") == {3}
    assert index.find("好又多超市") == set() and index.find("齐镇冷库漏氨") == {5}
    assert index.find("") == set() and index.find("眉县") == set()
    assert not _NameIndex([(4, "好又多")])


def test_the_complaint_scan_reads_each_appeal_once_whatever_the_number_of_entities(orchard, meixian, dept_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiwang.credit.models import AppealMention
    from yiwang.credit.services.clues import appeal_mentions_update

    for n in range(40):
        EntityFactory(name=f"眉县第{n:02d}号果品有限公司", region=meixian.county)
    for n in range(30):
        _complaint(meixian, n, f"眉县第{n % 40:02d}号果品有限公司和{orchard.name}压级压价")
    with CaptureQueriesContext(connection) as queries:
        appeal_mentions_update()
    assert AppealMention.objects.count() == 60  # each complaint names two entities
    # no statement pairs the appeals with the entities in SQL (the old LIKE join)
    assert not [q for q in queries.captured_queries if "LIKE" in q["sql"].upper()]
    assert len(queries.captured_queries) < 25
