"""``manage.py cases chain``: an item's chain lets one person act on several steps only when set so."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yiwang.cases.models import ReviewChain
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("cases", "chain", *args, stdout=out)
    return out.getvalue()


def test_it_shows_the_default_and_sets_the_item_s_chain(food_item, admin_user):
    assert "审查、审核、审批须由不同人员办理（默认）" in _run(food_item.code)
    assert "允许同一人办理多个环节" in _run(food_item.code, "--same-person", "yes", "--actor", "admin")
    chain = ReviewChain.objects.get(item=food_item)
    assert chain.same_person_allowed and [s["name"] for s in chain.steps] == ["受理", "审查", "审核", "审批"]
    assert AuditEvent.objects.get(action="case.review_chain_set").actor_id == admin_user.pk
    _run(food_item.code, "--same-person", "no", "--actor", "admin")
    assert not ReviewChain.objects.get(item=food_item).same_person_allowed


def test_it_refuses_without_an_actor_or_another_department(food_item, handler_b):
    with pytest.raises(CommandError, match="--actor"):
        _run(food_item.code, "--same-person", "yes")
    with pytest.raises(CommandError, match="只有实施部门或管理员"):
        _run(food_item.code, "--same-person", "yes", "--actor", "handler_b")
    with pytest.raises(CommandError, match="没有编码为"):
        _run("610326-XK-9999")
    assert not ReviewChain.objects.exists()
