from django.urls import path

from yiwang.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.public_announcement, name="public"),
    path("first-offences/", views.first_offences, name="first_offences"),
    path("financing/", views.financing_board, name="financing"),
    path("my/", views.my_credit, name="my_credit"),
    path("my/records/<int:pk>/repair/", views.repair_request, name="repair_request"),
    path("staff/", views.staff_index, name="staff"),
    path("staff/home/", views.home, name="home"),
    path("staff/entities/", views.entity_list, name="entities"),
    path("staff/entities/<str:uscc>/", views.entity_report, name="entity"),
    path("staff/entities/<str:uscc>/records/", views.record_add, name="record_add"),
    path("staff/records/<int:pk>/revoke/", views.record_revoke, name="record_revoke"),
    path("staff/repairs/", views.repairs, name="repairs"),
    path("staff/repairs/<int:pk>/decide/", views.repair_decide, name="repair_decide"),
    path("staff/clues/", views.clues, name="clues"),
    path("staff/clues/<int:pk>/", views.clue_detail, name="clue"),
    path("staff/government/", views.government_dishonesty, name="government"),
    path("staff/import/", views.entity_import, name="import"),
    path("staff/import/template.xlsx", views.import_template, name="import_template"),
    path("staff/financing/", views.staff_financing, name="staff_financing"),
]
