from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "yiwang.workdays"
    label = "workdays"
