"""Fixtures for projects: the departments of the 工改 items with one handler each, the items
published through the catalog, a project of each category, and a helper that walks a case to approval."""

import pytest

from yiwang.cases import services as case_services
from yiwang.cases.models import ReviewStep
from yiwang.conftest import _user
from yiwang.core.identifiers import make_uscc
from yiwang.org.models import Department, Role
from yiwang.org.tests.factories import DepartmentFactory
from yiwang.projects import services
from yiwang.projects.catalog_items import items_publish

BUILDER_USCC = make_uscc("91610326MA6X9K1P3")
SCHOOL_USCC = make_uscc("12610326MB1234567")

DEPARTMENTS = {
    "development-reform": "县发改局",
    "natural-resources": "县自然资源局",
    "housing-construction": "县住建局",
    "ecology-environment": "县生态环境局",
    "water-resources": "县水利局",
    "urban-management": "县城管执法局",
}


@pytest.fixture
def gc_departments(meixian, dept_a):
    made = {"admin-approval": dept_a}
    for code, short in DEPARTMENTS.items():
        made[code] = DepartmentFactory(code=code, name=f"眉县{short[1:]}", short_name=short, region=meixian.county)
    made["state-grid-meixian"] = DepartmentFactory(
        code="state-grid-meixian",
        name="国网陕西省电力公司眉县供电分公司",
        short_name="供电眉县分公司",
        kind=Department.Kind.ENTERPRISE,
        region=meixian.county,
    )
    made["meixian-water"] = DepartmentFactory(
        code="meixian-water",
        name="眉县自来水有限责任公司",
        short_name="县自来水公司",
        kind=Department.Kind.ENTERPRISE,
        region=meixian.county,
    )
    made["china-gas-meixian"] = DepartmentFactory(
        code="china-gas-meixian",
        name="宝鸡中燃城市燃气发展有限公司眉县分公司",
        short_name="中燃眉县分公司",
        kind=Department.Kind.ENTERPRISE,
        region=meixian.county,
    )
    return made


@pytest.fixture
def handlers(gc_departments, handler_a):
    users = {"admin-approval": handler_a}
    for code, department in gc_departments.items():
        if code != "admin-approval":
            users[code] = _user(f"h-{code}", f"经办{department.short_name}", Role.HANDLER, department=department)
    return users


@pytest.fixture
def gc_items(gc_departments, admin_user):
    items_publish(actor=admin_user)


def register(handler, meixian, dept_a, category="social", code="2101-610326-04-01-000001", **extra):
    defaults = dict(
        code=code,
        name="眉县猕猴桃精深加工厂建设项目",
        category=category,
        builder_name="眉县秦岭果业有限公司",
        builder_uscc=BUILDER_USCC,
        region=meixian.county,
        town=meixian.shoushan,
        area="",
        site="眉县经开区渭河大道北侧",
        lead_department=dept_a,
        actor=handler,
    )
    defaults.update(extra)
    return services.project_register(**defaults)


@pytest.fixture
def social_project(gc_items, handler_a, meixian, dept_a):
    return register(handler_a, meixian, dept_a)


@pytest.fixture
def low_risk_project(gc_items, handler_a, meixian, dept_a):
    return register(
        handler_a, meixian, dept_a, category="low_risk", code="2101-610326-04-01-000003", name="槐芽镇果品仓储库"
    )


def approve(case, *, clerk, handler):
    """Walk a submitted case to approval: accept at the window, assign, every step, decide."""
    case = case_services.case_accept(case=case, actor=clerk, received=("M01",))
    case = case_services.case_assign(case=case, actor=handler)
    while case.steps.filter(state=ReviewStep.State.PENDING).exists():
        case_services.review_step_complete(case=case, actor=handler, opinion="符合条件，同意")
        case.refresh_from_db()
    case_services.case_decide(case=case, actor=handler, outcome="approved", reasons="材料齐全，符合法定条件")
    case.refresh_from_db()
    return case


def deny(case, *, clerk, handler):
    case = case_services.case_accept(case=case, actor=clerk, received=("M01",))
    case = case_services.case_assign(case=case, actor=handler)
    while case.steps.filter(state=ReviewStep.State.PENDING).exists():
        case_services.review_step_complete(case=case, actor=handler, opinion="不符合条件")
        case.refresh_from_db()
    case_services.case_decide(case=case, actor=handler, outcome="denied", reasons="选址不符合国土空间规划")
    case.refresh_from_db()
    return case


def approve_stage(stage, *, clerk, handlers):
    for item in stage.items.filter(state="open").select_related("case", "department"):
        approve(item.case, clerk=clerk, handler=handlers[item.department.code])
