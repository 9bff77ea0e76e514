from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("export/", views.history_export, name="history_export"),
]
