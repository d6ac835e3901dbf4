from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("halls/", views.halls, name="halls"),
    path("limits/", views.limits, name="limits"),
    path("elder-mode/", views.elder_mode_toggle, name="elder_mode"),
    path("healthz", views.healthz, name="healthz"),
]
