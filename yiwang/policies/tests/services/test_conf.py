"""The county defaults (县级默认值; the plan gives no numbers for policies) and that they are obeyed."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from yiwang.core.errors import ApplicationError
from yiwang.policies import services
from yiwang.policies.conf import DEFAULTS, policies_setting, policies_setting_is_default
from yiwang.policies.models import PolicyMatch
from yiwang.policies.tests.factories import PolicyFactory


def test_the_county_defaults():
    assert DEFAULTS == {"MATCH_PAGE_SIZE": 200, "GRANT_BATCH_MAX": 5000}
    assert policies_setting_is_default("GRANT_BATCH_MAX")


@pytest.mark.django_db
def test_a_confirmed_list_longer_than_the_setting_is_refused(
    dept_a, officer, entities, django_capture_on_commit_callbacks
):
    policy = PolicyFactory(
        department=dept_a,
        no_application=True,
        rules={"mode": "all", "conditions": [{"attribute": "industry_code", "operator": "prefix", "values": ["A"]}]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=policy, actor=officer)
    ids = list(PolicyMatch.objects.filter(policy=policy).values_list("pk", flat=True))
    with override_settings(YIWANG_POLICIES={"GRANT_BATCH_MAX": 1}):
        assert policies_setting("GRANT_BATCH_MAX") == 1
        with pytest.raises(ApplicationError) as info:
            services.policy_grants_confirm(policy=policy, actor=officer, match_ids=ids)
        assert info.value.code == "policy.grant_list_too_long" and info.value.message == "一次最多确认 1 家企业"
    PolicyMatch.objects.filter(policy=policy).delete()  # matching again makes them again, once
    report = services.policy_match(policy=policy)
    assert (report.matched, report.created) == (2, 2) and PolicyMatch.objects.filter(policy=policy).count() == 2


@pytest.mark.django_db
def test_the_command_rematches(dept_a, officer, entities, django_capture_on_commit_callbacks, capsys):
    policy = PolicyFactory(department=dept_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=policy, actor=officer)
    small = entities[1]
    type(small).objects.filter(pk=small.pk).update(registered_capital=500)  # a bulk write: no signal
    call_command("policies", "rematch-entities", small.uscc)
    assert PolicyMatch.objects.filter(policy=policy, entity=small).exists()
    call_command("policies", "match")
    assert "新增 0" in capsys.readouterr().out
