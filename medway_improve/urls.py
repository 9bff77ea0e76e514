from django.contrib import admin
from django.urls import include, path

from medway_improve import views

urlpatterns = [
    path("", include("home.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("inspections/", include("inspections.urls")),
    path("actions/", include("actions.urls")),
    path("reminders/", include("reminders.urls")),
    path("indicators/", include("kpis.urls")),
    path("risks/", include("risks.urls")),
    path("import/", include("imports.urls")),
    path("audit/", include("audit.urls")),
    path("board/", include("board.urls")),
    path("board-packs/", include("boardpacks.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "medway_improve.views.bad_request"
handler403 = "medway_improve.views.permission_denied"
handler404 = "medway_improve.views.page_not_found"
handler500 = "medway_improve.views.server_error"
