"""django-axes under a name the admin's index shows in Vietnamese (axes' own config has none,
so the index said "Axes"). Its own module: a second AppConfig in portal/apps.py would stop
Django from choosing PortalConfig by itself."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login lockouts")
