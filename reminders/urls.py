from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.preference_edit, name="preference_edit"),
    path("settings/", views.settings_edit, name="settings_edit"),
]
