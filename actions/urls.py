from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("mine/", views.action_list, {"mine": True}, name="my_actions"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/update/", views.action_update, name="action_update"),
    path("<int:pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/evidence/", views.evidence_create, name="evidence_create"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
]
