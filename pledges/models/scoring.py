"""Scores: sheets per scored member, round and scorer, the scores on them, their evidence
files, and the bonus and penalty lines."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from blocs.models import Organization
from portal.lib.files import StoredUpload

from .year import POINTS, ZERO, Criterion, Pledge, points_field


class ScoreSheet(models.Model):
    """One member's scores in one round: its self-scores, the secretariat's verification,
    or another member's cross-scores (then `scorer` is that member)."""

    class Round(models.TextChoices):
        SELF = "self", _("Self-scoring")
        VERIFIED = "verified", _("Verification")
        CROSS = "cross", _("Cross-scoring")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="sheets"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("scored organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    round = models.CharField(_("round"), max_length=20, choices=Round.choices)
    scorer = models.ForeignKey(
        Organization,
        verbose_name=_("scored by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The scoring member, for cross-scoring only."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(
        _("returned at"),
        null=True,
        blank=True,
        help_text=_("When the secretariat last sent the submitted sheet back for corrections."),
    )
    return_reason = models.TextField(
        _("reason for returning"),
        blank=True,
        help_text=_("What the member is asked to correct; shown on its sheet."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "organization__sort_name", "round"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "organization", "round"],
                condition=Q(scorer__isnull=True),
                name="one_sheet_per_member_and_round",
            ),
            models.UniqueConstraint(
                fields=["pledge", "organization", "round", "scorer"],
                condition=Q(scorer__isnull=False),
                name="one_cross_sheet_per_member_and_scorer",
            ),
            models.CheckConstraint(
                condition=Q(round="cross", scorer__isnull=False)
                | (~Q(round="cross") & Q(scorer__isnull=True)),
                name="sheet_scorer_only_for_cross_scoring",
            ),
            models.CheckConstraint(
                condition=~Q(scorer=F("organization")),
                name="sheet_no_cross_scoring_of_oneself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.get_round_display()}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Score(models.Model):
    """Points for one criterion on one sheet. `version` guards against lost updates:
    a save carrying an older version than the row's is refused."""

    sheet = models.ForeignKey(
        ScoreSheet, verbose_name=_("score sheet"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores"
    )
    points = points_field(_("points"))
    bonus = points_field(_("bonus points"), default=ZERO)
    explanation = models.TextField(_("explanation"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["sheet", "criterion__order"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "criterion"], name="one_score_per_sheet_and_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.points}"


class Evidence(StoredUpload):
    """A file backing a score (minh chứng); served only to those who may read the score."""

    score = models.ForeignKey(
        Score, verbose_name=_("score"), on_delete=models.CASCADE, related_name="evidence"
    )
    history = HistoricalRecords()  # uploads and deletions: who, when, which file

    class Meta:
        ordering = ["score", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("pledges:evidence_download", args=[self.pk])

    def storage_folder(self) -> str:
        sheet = self.score.sheet
        return f"evidence/{sheet.pledge_id}/{sheet.organization_id}"


class Adjustment(models.Model):
    """A bonus or penalty line for a member (e.g. −0.5 for a late report), within the caps."""

    class Kind(models.TextChoices):
        BONUS = "bonus", _("Bonus")
        PENALTY = "penalty", _("Penalty")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="adjustments"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    points = models.DecimalField(
        _("points"), validators=[MinValueValidator(Decimal("0.01"))], **POINTS
    )
    reason = models.CharField(_("reason"), max_length=500)
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
        ordering = ["pledge", "organization__sort_name", "kind", "created_at"]
        verbose_name = _("bonus or penalty")
        verbose_name_plural = _("bonuses and penalties")

    def __str__(self) -> str:
        sign = "+" if self.kind == self.Kind.BONUS else "−"
        return f"{self.organization}: {sign}{self.points} ({self.reason})"
