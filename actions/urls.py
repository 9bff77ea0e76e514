from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("mine/", views.action_list, {"mine": True}, name="my_actions"),
    path("new/", views.action_create_view, name="action_create"),
    path("new/several/", views.action_create_several_view, name="action_create_several"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/edit/", views.action_edit_view, name="action_edit"),
    path("<int:pk>/cancel/", views.action_cancel_view, name="action_cancel"),
    path("<int:pk>/update/", views.action_update, name="action_update"),
    path("<int:pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/evidence/", views.evidence_create, name="evidence_create"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        views.evidence_download,
        name="evidence_download",
    ),
    path("priorities/", views.priority_list, name="priority_list"),
    path("priorities/new/", views.priority_create_view, name="priority_create"),
    path("priorities/<int:pk>/edit/", views.priority_update_view, name="priority_update"),
    path("priorities/<int:pk>/move/", views.priority_move_view, name="priority_move"),
    path("priorities/<int:pk>/retire/", views.priority_retire_view, name="priority_retire"),
    path("priorities/<int:pk>/renumber/", views.priority_renumber_view, name="priority_renumber"),
]
