from django.urls import path

from boardpacks import views

app_name = "boardpacks"

urlpatterns = [
    path("", views.boardpack_list, name="boardpack_list"),
    path("generate/", views.boardpack_create, name="boardpack_create"),
    path("<int:pk>/", views.boardpack_detail, name="boardpack_detail"),
    path("<int:pk>/send/", views.boardpack_send, name="boardpack_send"),
    path("<int:pk>/retry/", views.boardpack_retry, name="boardpack_retry"),
    path("<int:pk>/preview/", views.boardpack_preview, name="boardpack_preview"),
    path("<int:pk>/download/", views.boardpack_download, name="boardpack_download"),
]
