from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list, name="inspection_list"),
    path("<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("<int:pk>/document/", views.inspection_document, name="inspection_document"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
]
