from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.notice_open, name="open"),
    path("read-all/", views.notices_read_all, name="read_all"),
    path("settings/", views.preferences, name="preferences"),
    path("settings/calendar/new/", views.calendar_regenerate, name="calendar_regenerate"),
    path("settings/calendar/off/", views.calendar_revoke, name="calendar_revoke"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
