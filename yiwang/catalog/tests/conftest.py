import pytest

from yiwang.catalog.tests.factories import elements, publish


@pytest.fixture
def departments(dept_a, dept_b):
    """县行政审批服务局 (dept_a, implementing) and 县市场监管局 (dept_b, competent)."""
    return dept_a, dept_b


@pytest.fixture
def food_item(admin_user, departments):
    """食品经营许可（新办）, published as version 1; competent 市场监管局, implemented by 审批局."""
    return publish(admin_user, elements())[0]


@pytest.fixture
def dept_c(meixian):
    """县住建局: a third department, for cross reviews of items of dept_a and dept_b."""
    from yiwang.org.tests.factories import DepartmentFactory

    return DepartmentFactory(
        code="housing-construction", name="眉县住房和城乡建设局", short_name="县住建局", region=meixian.county
    )


@pytest.fixture
def handler_c(dept_c):
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="handler_c", display_name="孙磊")
    MembershipFactory(user=user, role=Role.HANDLER, department=dept_c)
    return user
