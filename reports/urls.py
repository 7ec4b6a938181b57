from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("bloc/<int:pk>/", views.report_list, name="report_list"),
    path("bloc/<int:pk>/open/", views.draft_open, name="draft_open"),
    path("bloc/<int:pk>/dossier/", views.dossier, name="dossier"),
    path("bloc/<int:pk>/dossier/prepare/", views.dossier_prepare, name="dossier_prepare"),
    path("bloc/<int:pk>/dossier.zip", views.dossier_zip, name="dossier_zip"),
    path("draft/<int:pk>/", views.draft_edit, name="draft_edit"),
    path("draft/<int:pk>/preview/", views.draft_preview, name="draft_preview"),
    path("draft/<int:pk>/build/", views.report_build, name="report_build"),
    path("draft/<int:pk>/issue/", views.document_issue, name="document_issue"),
    path("draft/<int:pk>/replace/", views.document_replace, name="document_replace"),
    path("draft/<int:pk>/scan/", views.document_scan, name="document_scan"),
    path("draft/<int:pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/status/", views.report_status, name="report_status"),
    path("<int:pk>/pdf/", views.report_download, name="report_download"),
    path("<int:pk>/docx/", views.report_docx, name="report_docx"),
    path("<int:pk>/xlsx/", views.report_xlsx, name="report_xlsx"),
    path("<int:pk>/retry/", views.report_retry, name="report_retry"),
]
