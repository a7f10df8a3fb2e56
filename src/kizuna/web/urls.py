from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("search/", views.search, name="search"),
    path("me/", views.preferences, name="preferences"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "me/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html", success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path(
        "me/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
]
