from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("new/", views.inspection_create, name="inspection_create"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/edit/", views.inspection_update, name="inspection_update"),
    path(
        "<int:pk>/edit/<slug:section>/", views.inspection_rows_update, name="inspection_rows_update"
    ),
    path("<int:pk>/delete/", views.inspection_delete, name="inspection_delete"),
    path("<int:pk>/document/", views.inspection_document, name="inspection_document"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
]
