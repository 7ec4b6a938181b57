"""Secret ballots for the leading units and commendations, and the proposals that follow."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from blocs.models import Meeting, Organization

from .year import EmulationTitle, Pledge


class Ballot(models.Model):
    """A secret ballot at the year-end review: the counts and, per candidate, the votes."""

    class Purpose(models.TextChoices):
        LEADING = "leading", _("Leading unit(s) of the bloc")
        COMMENDATION = "commendation", _("Commendation proposals")
        OTHER = "other", _("Other")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="ballots"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ballots",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=300)
    members_total = models.PositiveSmallIntegerField(_("members in all"))
    present = models.PositiveSmallIntegerField(_("members present"))
    issued = models.PositiveSmallIntegerField(_("ballots issued"))
    returned = models.PositiveSmallIntegerField(_("ballots returned"))
    valid = models.PositiveSmallIntegerField(_("valid ballots"))
    invalid = models.PositiveSmallIntegerField(_("invalid ballots"))
    tellers = models.TextField(_("vote-counting committee"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "recorded_at"]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=F("members_total"))
                & Q(issued__lte=F("present"))
                & Q(returned__lte=F("issued"))
                & Q(valid__lte=F("returned"))
                & Q(invalid=F("returned") - F("valid")),
                name="ballot_counts_consistent",
                violation_error_message=_("The ballot counts do not add up."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BallotCandidate(models.Model):
    """A candidate organization of a ballot and the votes it received."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="candidates"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    votes = models.PositiveSmallIntegerField(_("votes for"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["ballot", "-votes", "organization__sort_name"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "organization"], name="one_row_per_ballot_and_candidate"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.votes}"


class Proposal(models.Model):
    """A commendation the bloc proposes for a member (organization × title and level)."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="proposals"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.ForeignKey(
        EmulationTitle,
        verbose_name=_("commendation"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    ballot = models.ForeignKey(
        Ballot,
        verbose_name=_("ballot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
    )
    achievements = models.TextField(_("achievements in brief"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "title__order", "organization__sort_name"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "organization", "title"],
                name="one_proposal_per_organization_and_title",
                violation_error_message=_("This commendation is already proposed for it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.organization}"
