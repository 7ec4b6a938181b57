from django.urls import include, path

from . import views

app_name = "blocs"

meeting_urls = [
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("<int:pk>/all-present/", views.meeting_all_present, name="meeting_all_present"),
    path("<int:pk>/approve/", views.meeting_approve, name="meeting_approve"),
    path("<int:pk>/reopen/", views.meeting_reopen, name="meeting_reopen"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/elect/", views.meeting_elect, name="meeting_elect"),
    path("<int:pk>/membership/", views.meeting_membership, name="meeting_membership"),
    path("<int:pk>/decision/", views.meeting_decision, name="meeting_decision"),
    path("<int:pk>/attachments/add/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/attendance.xlsx", views.meeting_attendance_xlsx, name="meeting_attendance_xlsx"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
]

urlpatterns = [
    path("", views.bloc_list, name="bloc_list"),
    path("search/", views.search, name="search"),
    path("<int:pk>/", views.bloc_detail, name="bloc_detail"),
    path("<int:pk>/edit/", views.bloc_edit, name="bloc_edit"),
    path("<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/meetings.ics", views.bloc_ics, name="bloc_ics"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("meetings/", include(meeting_urls)),
]
