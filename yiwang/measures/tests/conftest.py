"""The cases and hotline fixtures the property tests drive real events with."""

from yiwang.cases.tests.conftest import company, counter_item, food_item, opening_bundle, person  # noqa: F401
from yiwang.hotline.tests.conftest import categories, make_appeal, operator  # noqa: F401
