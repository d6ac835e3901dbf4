from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "yiwang.policies"
    label = "policies"
    verbose_name = _("惠企政策")

    def ready(self) -> None:
        from yiwang.policies import actions, measures, messages, receivers, workbench  # noqa: F401
        from yiwang.policies.services import policies_expire_due
        from yiwang.workdays.sweep import register_sweep_hook

        # Policies past their 截止日期 expire in the one daily deadline run.
        register_sweep_hook("policies.expire", policies_expire_due)
        # 一业一证: bundles approved since the last run get their integrated licence.
        from yiwang.policies.integrated import integrated_licences_issue_due

        register_sweep_hook("policies.integrated_licences", integrated_licences_issue_due)
