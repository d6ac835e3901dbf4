from django.urls import path

from . import views

app_name = "licences"

urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("download/<str:number>/", views.download, name="download"),
    path("mine/", views.mine, name="mine"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/figures/", views.figures, name="figures"),
    path("staff/export.xlsx", views.staff_export, name="staff_export"),
    path("staff/issue/", views.staff_issue, name="staff_issue"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/revoke/", views.staff_revoke, name="staff_revoke"),
]
