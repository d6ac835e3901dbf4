from django.contrib import admin
from django.urls import include, path

from yiwang.api.api import api

urlpatterns = [
    path("", include("yiwang.portal.urls")),
    path("", include("yiwang.org.urls")),
    path("workdays/", include("yiwang.workdays.urls")),
    path("services/", include("yiwang.catalog.urls")),
    path("account/", include("yiwang.accounts.urls")),
    path("cases/", include("yiwang.cases.urls")),
    path("hotline/", include("yiwang.hotline.urls")),
    path("open311/", include("yiwang.hotline.open311_urls")),
    path("inbox/", include("yiwang.core.urls")),
    path("credit/", include("yiwang.credit.urls")),
    path("licences/", include("yiwang.licences.urls")),
    path("ratings/", include("yiwang.ratings.urls")),
    path("inspections/", include("yiwang.inspections.urls")),
    path("projects/", include("yiwang.projects.urls")),
    path("policies/", include("yiwang.policies.urls")),
    path("supervision/", include("yiwang.supervision.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
