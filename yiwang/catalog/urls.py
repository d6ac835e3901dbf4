from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.search, name="search"),
    path("items/<str:code>/", views.guide, name="guide"),
    path("items/<str:code>/guide.pdf", views.guide_pdf, name="guide_pdf"),
    path("items/<str:code>/qr.svg", views.guide_qr, name="guide_qr"),
    path("items/<str:code>/form.pdf", views.form_pdf, name="form_pdf"),
    path("items/<str:code>/v<int:number>/", views.version, name="version"),
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/<slug:code>/", views.bundle_detail, name="bundle_detail"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/export.xlsx", views.staff_export, name="staff_export"),
    path("staff/template.xlsx", views.staff_template, name="staff_template"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/items/<str:code>/", views.staff_item, name="staff_item"),
    path("staff/items/<str:code>/propose/", views.staff_propose, name="staff_propose"),
    path("staff/items/<str:code>/withdraw/", views.staff_withdraw, name="staff_withdraw"),
    path("staff/reviews/", views.review_queue, name="review_queue"),
    path("staff/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("staff/changes/", views.my_changes, name="my_changes"),
    path("staff/changes/<int:pk>/cancel/", views.change_cancel, name="change_cancel"),
    path("staff/targets/", views.targets, name="targets"),
    path("staff/quality/", views.data_quality, name="data_quality"),
]
