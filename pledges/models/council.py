"""What the emulation and commendation council of the body that organizes the blocs decides
about their proposals: its decision per proposal, the holds (Decree 152/2025 Art. 4) and its
quotas across the blocs it organizes. These are data of the pledges (the bloc's own
proposals page shows them); the council's page is the `councils` app's."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from blocs.models import Organization

from .ballots import Proposal
from .year import ZERO, EmulationTitle

# Công văn 5007/BNV-TĐKT (2023): the Government flag for at most 20% of the collectives
# that lead their blocs (domain.md §1.6).
GOVERNMENT_FLAG_PERCENT = Decimal("20")


class CouncilDecision(models.Model):
    """The council's decision on one proposal; changing it keeps the earlier ones (history)."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        ON_HOLD = "on_hold", _("On hold")

    proposal = models.OneToOneField(
        Proposal,
        verbose_name=_("proposal"),
        on_delete=models.CASCADE,
        related_name="council_decision",
    )
    status = models.CharField(_("decision"), max_length=20, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("council decision")
        verbose_name_plural = _("council decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="accepted") | ~Q(reason=""),
                name="council_decision_reason_unless_accepted",
                violation_error_message=_("Give the reason for returning or holding it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_status_display()}"


class ProposalHoldQuerySet(models.QuerySet):
    def active(self) -> ProposalHoldQuerySet:
        return self.filter(lifted_at__isnull=True)


class ProposalHold(models.Model):
    """A proposal put on hold (Decree 152/2025 Art. 4): its unit is under discipline,
    inspection or an unresolved complaint. It cannot be accepted until the hold is lifted;
    placing and lifting are kept, with who and when."""

    class Reason(models.TextChoices):
        DISCIPLINE = "discipline", _("Under discipline")
        INSPECTION = "inspection", _("Under inspection or investigation")
        COMPLAINT = "complaint", _("An unresolved complaint or denunciation")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="holds"
    )
    reason = models.CharField(_("ground"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("details"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("why lifted"), blank=True)

    objects = ProposalHoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("hold on a proposal")
        verbose_name_plural = _("holds on proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(lifted_at__isnull=True),
                name="one_active_hold_per_proposal",
                violation_error_message=_("This proposal is already on hold."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_reason_display()}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class CouncilQuota(models.Model):
    """At most so many proposals of one title across the blocs a body organizes in a year,
    as a share of the collectives that lead their blocs (the Government flag: 20%)."""

    class Base(models.TextChoices):
        LEADING = "leading", _("Collectives leading their blocs")

    organizing_body = models.ForeignKey(
        Organization,
        verbose_name=_("organizing body"),
        on_delete=models.CASCADE,
        related_name="council_quotas",
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    title = models.ForeignKey(
        EmulationTitle,
        verbose_name=_("commendation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    max_percent = models.DecimalField(
        _("at most (%)"),
        max_digits=5,
        decimal_places=2,
        default=GOVERNMENT_FLAG_PERCENT,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    base = models.CharField(_("of"), max_length=20, choices=Base.choices, default=Base.LEADING)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organizing_body", "-year", "title__order"]
        verbose_name = _("council quota")
        verbose_name_plural = _("council quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["organizing_body", "year", "title"],
                name="one_council_quota_per_body_year_and_title",
                violation_error_message=_("This title already has a quota for that year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organizing_body} {self.year}: {self.title} ≤ {self.max_percent}%"
