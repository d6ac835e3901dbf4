from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/stages/<int:stage_pk>/open/", views.stage_open, name="stage_open"),
    path("<int:pk>/items/<int:item_pk>/reapply/", views.item_reapply, name="item_reapply"),
    path("<int:pk>/logs/", views.log_add, name="log_add"),
    path("<int:pk>/issues/", views.issue_raise, name="issue_raise"),
    path("<int:pk>/steward/", views.steward_assign, name="steward_assign"),
    path("<int:pk>/surveys/", views.survey_record, name="survey_record"),
    path("at-risk/", views.at_risk, name="at_risk"),
    path("at-risk.xlsx", views.at_risk_export, name="at_risk_export"),
    path("measures/", views.measures_page, name="measures"),
    path("issues/", views.issues, name="issues"),
    path("issues/<int:pk>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("utilities/", views.connections, name="connections"),
    path("utilities/<int:pk>/", views.connection_detail, name="connection"),
    path("utilities/<int:pk>/complete/", views.connection_complete, name="connection_complete"),
    path("utilities/status/", views.connection_status, name="connection_status"),
    path("utilities/apply/", views.connection_apply, name="connection_apply"),
    path("assessments/", views.assessments, name="assessments"),
    path("limits/", views.limits, name="limits"),
]
