from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "yiwang.accounts"
    label = "accounts"
    verbose_name = _("群众和企业账户")

    def ready(self) -> None:
        from yiwang.accounts import actions, messages, workbench  # noqa: F401 — actions, texts, links
