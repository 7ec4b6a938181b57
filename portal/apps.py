from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from . import checks  # noqa: F401  (registers the system checks)
        from .lib.audit import note_password_change
        from .lib.sessions import start_clock
        from .lib.text import unix_newlines

        user_logged_in.connect(start_clock, dispatch_uid="portal.lib.sessions.start_clock")
        pre_save.connect(
            note_password_change,
            sender=get_user_model(),
            dispatch_uid="portal.lib.audit.note_password_change",
        )
        pre_save.connect(unix_newlines, dispatch_uid="portal.lib.text.unix_newlines")
