"""Django admin for blocs: organizations, blocs, memberships, chair terms, officials, meetings.

Writes with rules go through blocs.services: the forms run the services' checks
so a refusal is a form error and nothing is saved; save_model/save_formset then
call the services themselves (which re-check under a lock and record the actor).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import blocs, meetings, people  # noqa: F401 -- each module registers its ModelAdmins

admin.site.site_header = _("Emulation bloc portal administration")
admin.site.site_title = _("Emulation bloc portal")
admin.site.index_title = _("Administration")
