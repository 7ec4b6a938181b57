from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


def _names_in_nfc(sender, instance, **kwargs) -> None:
    """Accounts are Django's own model (no save() of ours to hook): whoever writes a user
    (the admin, createsuperuser, an import, the demo), the names are stored composed (NFC),
    so that a name typed on a Mac or pasted from a PDF is the same text as one typed here."""
    from portal.lib.text import nfc

    instance.first_name = nfc(instance.first_name)
    instance.last_name = nfc(instance.last_name)


class BlocsConfig(AppConfig):
    name = "blocs"
    verbose_name = _("Emulation blocs")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        pre_save.connect(_names_in_nfc, sender=get_user_model(), dispatch_uid="user_names_nfc")
