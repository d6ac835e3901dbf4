from django.urls import path

from . import drill_views, views

app_name = "ratings"

urlpatterns = [
    path("", views.public, name="public"),
    path("mine/", views.mine, name="mine"),
    path("rate/case/<str:number>/", views.rate_case, name="rate_case"),
    path("rate/appeal/<str:code>/", views.rate_appeal, name="rate_appeal"),
    path("pad/", views.pad_home, name="pad_home"),
    path("pad/<str:number>/", views.pad, name="pad"),
    path("staff/ratings/", views.staff_ratings, name="staff_ratings"),
    path("staff/rectifications/", views.queue, name="queue"),
    path("staff/rectifications/<int:pk>/", views.rectification, name="rectification"),
    path("supervision/rectifications/", views.review_queue, name="review_queue"),
    path("supervision/rectifications/<int:pk>/", views.review, name="review"),
    path("supervision/targets/", views.targets, name="targets"),
    path("supervision/targets/rows/", drill_views.figure_rows, name="figure_rows"),
    path("supervision/checks/", views.checks, name="checks"),
    path("supervision/checks/<int:pk>/", views.check, name="check"),
    path("supervision/checks/<int:pk>/report.xlsx", views.check_xlsx, name="check_xlsx"),
    path("supervision/checks/<int:pk>/report.pdf", views.check_pdf, name="check_pdf"),
]
