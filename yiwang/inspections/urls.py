from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/tasks.xlsx", views.plan_tasks_xlsx, name="plan_tasks_xlsx"),
    path("plans/<int:pk>/publish/", views.plan_publish_view, name="plan_publish"),
    path("plans/<int:pk>/draw/", views.plan_draw_view, name="plan_draw"),
    path("plans/<int:pk>/verify/", views.plan_verify_view, name="plan_verify"),
    path("plans/<int:pk>/publish-results/", views.plan_results_publish_view, name="plan_results_publish"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("roster/", views.roster, name="roster"),
    path("measures/", views.measures_page, name="measures"),
    path("public/", views.public_results, name="public"),
    path("public/<int:pk>/", views.public_plan, name="public_plan"),
]
