from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.mfa_settings, name="mfa_settings"),
    path("two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/turn-off/", views.mfa_disable, name="mfa_disable"),
    path("password/", views.password_change, name="password_change"),
]
