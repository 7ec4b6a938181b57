"""What the pledges admin pages share: read-only pages and inlines, inlines that follow the
pledge's stage, and the rows a formset keeps."""

from __future__ import annotations

from ..models import (
    Pledge,
)

# ---------------------------------------------------------------------------
# Shared behaviour
# ---------------------------------------------------------------------------


def formset_changed(formset) -> bool:
    return any(form.has_changed() for form in formset.forms) or bool(formset.deleted_forms)


class ReadOnlyAdminMixin:
    """Rows the portal's services write: shown here, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PledgeStageInlineMixin:
    """Rows of the pledge editable only at some stages (`editable(pledge)`), never when closed."""

    @staticmethod
    def editable(pledge: Pledge) -> bool:
        return not pledge.is_closed

    def _allowed(self, obj) -> bool:
        return obj is None or self.editable(obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(obj) and super().has_delete_permission(request, obj)
