from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
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
        self._forget_roles_on_change()

    def _forget_roles_on_change(self) -> None:
        """The policy's answers kept for a request (`portal.lib.request_cache`) depend on
        these rows: a request that writes one and asks again gets the new answer."""
        from django.contrib.auth import get_user_model

        from portal.lib.request_cache import forget

        from .models import (
            Bloc,
            ChairTerm,
            CouncilAssignment,
            Membership,
            Official,
            SecretaryAssignment,
        )

        # Bloc: its organizing body names its council; CouncilAssignment: a council seat.
        for model in (
            Membership,
            ChairTerm,
            SecretaryAssignment,
            Official,
            CouncilAssignment,
            Bloc,
            get_user_model(),
        ):
            for signal in (post_save, post_delete):
                signal.connect(forget, sender=model, dispatch_uid=f"forget_roles_{model.__name__}")
