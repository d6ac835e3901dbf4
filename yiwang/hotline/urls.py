from django.urls import path

from yiwang.hotline import leader_views, views

app_name = "hotline"

urlpatterns = [
    # The public column “有问必应、接诉即办”.
    path("", views.index, name="index"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("public/", views.public_list, name="public_list"),
    path("villages/", views.villages, name="villages"),
    path("unresolved/summary/", views.unresolved_summary, name="unresolved_summary"),
    # Staff pages.
    path("staff/intake/", views.intake, name="intake"),
    path("staff/intake/assist/", views.intake_assist, name="intake_assist"),
    path("staff/dispatch/", views.dispatch_queue, name="dispatch_queue"),
    path("staff/queue/", views.handler_queue, name="handler_queue"),
    path("staff/appeals/<str:code>/", views.appeal_detail, name="appeal"),
    path("staff/appeals/<str:code>/<str:action>/", views.appeal_action, name="appeal_action"),
    path("staff/unresolved/", views.unresolved, name="unresolved"),
    path("staff/unresolved/<str:code>/resolve/", views.unresolved_resolve, name="unresolved_resolve"),
    path("staff/dashboard/", views.dashboard, name="dashboard"),
    path("staff/dashboard/rows/", leader_views.dashboard_rows, name="dashboard_rows"),
    path("staff/overdue/", leader_views.overdue, name="overdue"),
    path("staff/hotspots/", views.hotspots_view, name="hotspots"),
    path("staff/knowledge/", views.knowledge, name="knowledge"),
]
