"""django-import-export resources: member lists from spreadsheets (csv, xlsx).

Organizations are matched by name; memberships by bloc, organization and first
year, with bloc and organization given by name. Columns and codes are written as their
Vietnamese labels and read back from them, or from the codes (portal/lib/imports.py).
A membership row goes through the services, so an import cannot create overlapping
periods: the preview shows the row as invalid and the confirm step imports nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields

from portal.lib.imports import ChoicesWidget, LabelledResource, NamedForeignKeyWidget, YesNoWidget

from . import services
from .models import Bloc, Membership, Organization


class OrganizationResource(LabelledResource):
    kind = fields.Field(
        attribute="kind",
        column_name="kind",
        widget=ChoicesWidget(Organization.Kind.choices, Organization.Kind.OTHER),
    )
    level = fields.Field(
        attribute="level",
        column_name="level",
        widget=ChoicesWidget(Organization.Level.choices, Organization.Level.PROVINCE),
    )
    is_active = fields.Field(attribute="is_active", column_name="is_active", widget=YesNoWidget())

    class Meta:
        model = Organization
        import_id_fields = ("name",)
        fields = ("name", "short_name", "abbreviation", "kind", "level", "locality", "is_active")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @classmethod
    def get_display_name(cls):
        return _("Organizations")


class MembershipResource(LabelledResource):
    bloc = fields.Field(
        attribute="bloc",
        column_name="bloc",
        widget=NamedForeignKeyWidget(Bloc, field="name"),
    )
    organization = fields.Field(
        attribute="organization",
        column_name="organization",
        widget=NamedForeignKeyWidget(Organization, field="name"),
    )

    class Meta:
        model = Membership
        import_id_fields = ("bloc", "organization", "first_year")
        fields = ("bloc", "organization", "first_year", "last_year", "rotation_order")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    @classmethod
    def get_display_name(cls):
        return _("Memberships")

    def get_queryset(self):
        return super().get_queryset().select_related("bloc", "organization")

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        # Refuse the row in the preview already, with the service's message.
        if instance.bloc_id and instance.organization_id and instance.first_year is not None:
            services.check_membership_period(
                bloc=instance.bloc,
                organization=instance.organization,
                first_year=instance.first_year,
                last_year=instance.last_year,
                exclude_pk=instance.pk,
            )

    def save_instance(self, instance, is_create, row, **kwargs):
        """Write through the services (they re-check under a lock and record the actor)."""
        self.before_save_instance(instance, row, **kwargs)
        if not self._is_using_transactions(kwargs) and self._is_dry_run(kwargs):
            pass  # no transaction to roll a dry run back: write nothing
        elif is_create:
            saved = services.membership_create(
                bloc=instance.bloc,
                organization=instance.organization,
                first_year=instance.first_year,
                last_year=instance.last_year,
                rotation_order=instance.rotation_order,
                actor=kwargs.get("user"),
            )
            instance.pk = saved.pk
            instance._state.adding = False
        else:
            services.membership_update(
                membership=instance,
                first_year=instance.first_year,
                last_year=instance.last_year,
                rotation_order=instance.rotation_order,
                actor=kwargs.get("user"),
            )
        self.after_save_instance(instance, row, **kwargs)
