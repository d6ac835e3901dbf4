from django.urls import path

from yiwang.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("real-name/", views.real_name, name="real_name"),
    path("enterprise/", views.authorisation_request, name="authorisation_request"),
    path("enterprise/<int:pk>/revoke/", views.authorisation_revoke, name="authorisation_revoke"),
    path("enterprise/switch/", views.enterprise_switch, name="enterprise_switch"),
    path("appeals/", views.my_appeals, name="my_appeals"),
    path("appeals/<str:code>/", views.my_appeal, name="my_appeal"),
    path("staff/authorisations/", views.authorisations, name="authorisations"),
    path("staff/authorisations/<int:pk>/letter/", views.authorisation_letter, name="authorisation_letter"),
]
