from django.urls import path

from board import views

app_name = "board"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path(
        "meetings/<int:meeting_pk>/items/new/",
        views.agenda_item_create,
        name="agenda_item_create",
    ),
    path("items/<int:pk>/edit/", views.agenda_item_update, name="agenda_item_update"),
    path("items/<int:pk>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path(
        "meetings/<int:meeting_pk>/decisions/new/",
        views.decision_create,
        name="decision_create",
    ),
    path("decisions/<int:pk>/edit/", views.decision_update, name="decision_update"),
    path("decisions/<int:pk>/delete/", views.decision_delete, name="decision_delete"),
    path(
        "decisions/<int:pk>/make-action/",
        views.decision_make_action,
        name="decision_make_action",
    ),
    path("challenges/", views.challenge_list, name="challenge_list"),
    path("challenges/pack/", views.challenge_pack, name="challenge_pack"),
    path(
        "challenges/raise/<slug:kind>/<int:pk>/",
        views.challenge_create,
        name="challenge_create",
    ),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge_detail"),
    path("challenges/<int:pk>/answer/", views.challenge_answer, name="challenge_answer"),
    path("challenges/<int:pk>/accept/", views.challenge_accept, name="challenge_accept"),
    path("challenges/<int:pk>/press/", views.challenge_press, name="challenge_press"),
    path("challenges/<int:pk>/reassign/", views.challenge_reassign, name="challenge_reassign"),
]
