from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("", views.risk_list, name="risk_list"),
    path("heat-map/", views.risk_heat_map, name="risk_heat_map"),
    path("matrix/", views.matrix_detail, name="matrix_detail"),
    path("new/", views.risk_create, name="risk_create"),
    path("<int:pk>/", views.risk_detail, name="risk_detail"),
    path("<int:pk>/edit/", views.risk_update, name="risk_update"),
]
