from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    # Public library (政策库)
    path("", views.library, name="library"),
    path("<int:pk>/", views.policy_detail, name="policy"),
    # An enterprise's own policies
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/apply/", views.mine_apply, name="mine_apply"),
    # Policy officer (承办部门)
    path("staff/", views.staff, name="staff"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", views.staff_policy, name="staff_policy"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/rules/", views.staff_rules, name="staff_rules"),
    path("staff/<int:pk>/publish/", views.staff_publish, name="staff_publish"),
    path("staff/<int:pk>/grants/", views.staff_grants, name="staff_grants"),
    path("staff/<int:pk>/matches/<int:match_pk>/", views.staff_match, name="staff_match"),
    # 一业一证
    path("yiye/verify/<str:number>/", views.integrated_verify, name="integrated_verify"),
    path("yiye/staff/", views.integrated_staff, name="integrated_staff"),
    path("yiye/staff/issue/<str:number>/", views.integrated_issue, name="integrated_issue"),
    path("yiye/staff/<int:pk>/", views.integrated_detail, name="integrated_detail"),
    path("yiye/staff/<int:pk>/pdf/", views.integrated_pdf, name="integrated_pdf"),
    # Leaders
    path("measures/", views.measures_page, name="measures"),
]
