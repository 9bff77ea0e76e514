from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_start, name="import_start"),
    path("ofsted/", views.ofsted_upload, name="ofsted_upload"),
    path("ofsted/<uuid:pk>/", views.ofsted_review, name="ofsted_review"),
    path("ofsted/batch/<uuid:batch>/", views.ofsted_batch, name="ofsted_batch"),
    path("action-plan/", views.action_plan_upload, name="action_plan_upload"),
    path("action-plan/<uuid:pk>/columns/", views.action_plan_columns, name="action_plan_columns"),
    path("action-plan/<uuid:pk>/preview/", views.action_plan_preview, name="action_plan_preview"),
    path("<uuid:pk>/cancel/", views.upload_cancel, name="upload_cancel"),
    path("export/actions/", views.action_export, name="action_export"),
    path("indicator-values/", views.indicator_import, name="indicator_import"),
    path(
        "indicator-values/template.csv",
        views.indicator_import_template,
        name="indicator_import_template",
    ),
]
