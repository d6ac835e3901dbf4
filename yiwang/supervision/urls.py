from django.urls import path

from . import urge_views, views

app_name = "supervision"

urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("notices/", views.notice_list, name="notices"),
    path("ledgers/", views.ledger_list, name="ledgers"),
    path("ledgers/<int:pk>/", views.ledger_detail, name="ledger"),
    path("indicators/", views.indicator_board, name="indicators"),
    path("indicators/<int:pk>/enter/", views.indicator_enter, name="indicator_enter"),
    path("indicators/<slug:code>/drill/", views.drill, name="drill"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("assessment/", views.assessment_view, name="assessment"),
    path("urges/", urge_views.urge_list, name="urges"),
    path("urges/<int:pk>/", urge_views.urge_detail, name="urge"),
    path("urge/case/<str:number>/", urge_views.urge_case, name="urge_case"),
    path("urge/appeal/<str:code>/", urge_views.urge_appeal, name="urge_appeal"),
]
