from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "yiwang.org"
    label = "org"
