from django.urls import path

from accounts import sso_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", sso_views.SignInView.as_view(), name="login"),
    path("logout/", sso_views.SignOutView.as_view(), name="logout"),
    path("sso/start/", sso_views.sso_start, name="sso_start"),
    path("sso/callback/", sso_views.sso_callback, name="sso_callback"),
    path("two-factor/", views.mfa_settings, name="mfa_settings"),
    path("two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("two-factor/turn-off/", views.mfa_disable, name="mfa_disable"),
    path("password/", views.password_change, name="password_change"),
]
