from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The top layer: the apps announce events through portal.lib.events and never
        # import this app; it listens here (see listeners.py).
        from . import listeners

        listeners.register()
