from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("mine/", views.action_list, {"mine": True}, name="my_actions"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/update/", views.action_update, name="action_update"),
    path("<int:pk>/status/", views.action_status, name="action_status"),
]
