"""Open311 GeoReport v2 under ``/open311/v2/`` (format by suffix: ``.json`` or ``.xml``)."""

from django.urls import path, register_converter

from yiwang.hotline import open311


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311fmt")

app_name = "open311"

urlpatterns = [
    path("v2/discovery.<open311fmt:fmt>", open311.discovery, name="discovery"),
    path("v2/services.<open311fmt:fmt>", open311.service_list, name="services"),
    path("v2/services/<slug:code>.<open311fmt:fmt>", open311.service_definition, name="service"),
    path("v2/requests.<open311fmt:fmt>", open311.requests_collection, name="requests"),
    path("v2/requests/<str:request_id>.<open311fmt:fmt>", open311.request_detail, name="request"),
]
