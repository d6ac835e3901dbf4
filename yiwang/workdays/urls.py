from django.urls import path

from . import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("add/", views.add_workdays_partial, name="add"),
    path("import/", views.calendar_import, name="import"),
]
