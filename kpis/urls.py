from django.urls import path

from kpis import views

app_name = "kpis"

urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    path("new/", views.indicator_create, name="indicator_create"),
    path("<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("<int:pk>/edit/", views.indicator_update, name="indicator_update"),
    path("<int:pk>/values/new/", views.indicator_value_create, name="indicator_value_create"),
    path(
        "<int:pk>/values/<int:value_pk>/edit/",
        views.indicator_value_update,
        name="indicator_value_update",
    ),
    path(
        "<int:pk>/values/<int:value_pk>/delete/",
        views.indicator_value_delete,
        name="indicator_value_delete",
    ),
]
