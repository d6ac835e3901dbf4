import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.workflow import transition_check

TABLE = {"draft": frozenset({"published"}), "published": frozenset()}


def test_it_lets_an_allowed_move_pass():
    transition_check(TABLE, entity="item", state="draft", target="published", message="x")


def test_it_refuses_a_move_with_one_code_style_and_status_409():
    with pytest.raises(ApplicationError) as refused:
        transition_check(TABLE, entity="item", state="published", target="draft", message="不能", item="A1")
    assert refused.value.code == "item.invalid_transition"
    assert refused.value.status == 409
    assert refused.value.details == {"state": "published", "target": "draft", "item": "A1"}


def test_it_refuses_a_state_the_table_does_not_know():
    with pytest.raises(ApplicationError):
        transition_check(TABLE, entity="item", state="bogus", target="published", message="x")
