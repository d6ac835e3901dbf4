from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "yiwang.hotline"
    label = "hotline"
