from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "yiwang.catalog"
    label = "catalog"
