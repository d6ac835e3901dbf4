from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("workbench/", views.workbench, name="workbench"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="password_change"),
    path("org/departments/", views.departments, name="departments"),
    path("org/import/", views.org_import, name="import"),
    path("org/import/template.xlsx", views.org_template, name="import_template"),
]
