from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from notifications import views as notification_views

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    # No login: the container healthchecks and the proxy ask it (portal/health.py).
    path("health/", health.health, name="health"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The language switcher sits on the login page too, so it works without a login;
    # it only sets a cookie and redirects to a same-host URL.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("blocs/", include("blocs.urls")),
    path("pledges/", include("pledges.urls")),
    path("reports/", include("reports.urls")),
    path("council/", include("councils.urls")),
    path("notifications/", include("notifications.urls")),
    # A personal calendar feed: its secret key stands for the login (calendar programs
    # subscribe without a session).
    path("calendar/<str:token>.ics", notification_views.calendar_feed, name="calendar_feed"),
    path("admin/", admin.site.urls),
]
