"""What a bloc commits to in a year and how its members did.

A `Pledge` is the bloc's emulation year: its contents, its criteria tree and the rules
the bloc set for that year (scoring method, bonus cap, classification bands, tie-break
order, vote threshold and base, number of leading units, quotas, legal basis). Every
number here is configuration of that bloc and year, never a constant in the code.

Scores are entered on score sheets (one per scored member, round and scorer); the
ranking is computed from them by `pledges.ranking`, never typed in.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from blocs.models import Bloc, Meeting, Organization
from portal.lib.files import StoredUpload

POINTS = {"max_digits": 7, "decimal_places": 2}
ZERO = Decimal("0")


def _points_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, validators=[MinValueValidator(ZERO)], **POINTS, **kwargs
    )


class EmulationTitle(models.Model):
    """An emulation title or commendation form a member may aim for or be proposed for."""

    class Kind(models.TextChoices):
        TITLE = "title", _("Emulation title")
        COMMENDATION = "commendation", _("Commendation")
        RATING = "rating", _("Task-completion rating")

    class Level(models.TextChoices):
        STATE = "state", _("State")
        CENTRAL = "central", _("Central")
        PROVINCE = "province", _("Province / city")
        DISTRICT = "district", _("District")
        BASE = "base", _("Grassroots")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    awarded_by = models.CharField(_("awarded by"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("emulation title or commendation")
        verbose_name_plural = _("emulation titles and commendations")

    def __str__(self) -> str:
        return self.name


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user) -> PledgeQuerySet:
        return self.filter(bloc__in=Bloc.objects.visible_to(user))


class Pledge(models.Model):
    """A bloc's emulation year: the pledge (giao ước thi đua), its criteria and its rules."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for signing")
        SIGNED = "signed", _("Signed")
        SCORING = "scoring", _("Scoring")
        CLOSED = "closed", _("Closed")

    class ScoringMethod(models.TextChoices):
        SELF_VERIFIED = "self_verified", _("Self-scoring, then verified by the secretariat")
        CROSS_AVERAGE = "cross_average", _("Cross-scoring, averaged")
        CROSS_TRIMMED = (
            "cross_trimmed",
            _("Cross-scoring, averaged without the highest and the lowest"),
        )

    class VoteBase(models.TextChoices):
        MEMBERS = "members", _("All members")
        PRESENT = "present", _("Members present")
        VALID = "valid", _("Valid ballots")

    class TieBreak(models.TextChoices):
        """Ways to order members with the same total, applied in the configured order."""

        BASE_POINTS = "base_points", _("Higher points before bonus and penalty")
        BONUS = "bonus", _("More bonus points")
        PENALTY = "penalty", _("Fewer penalty points")
        FIRST_GROUP = "first_group", _("Higher points in the first criteria group")

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("bloc"), on_delete=models.CASCADE, related_name="pledges"
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        help_text=_("The “Căn cứ …” lines the documents cite, one per line."),
    )
    scoring_method = models.CharField(
        _("scoring method"),
        max_length=20,
        choices=ScoringMethod.choices,
        default=ScoringMethod.SELF_VERIFIED,
    )
    bonus_cap = models.DecimalField(
        _("bonus cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Most bonus points a member can get in all; empty for no cap."),
        **POINTS,
    )
    penalty_cap = models.DecimalField(
        _("penalty cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Most penalty points a member can lose in all; empty for no cap."),
        **POINTS,
    )
    classification_bands = models.JSONField(
        _("classification bands"),
        default=list,
        blank=True,
        help_text=_(
            "From the highest: a name and the lowest total that reaches it, e.g. "
            "[{“name”: “Hoàn thành xuất sắc nhiệm vụ”, “min”: 90}, …]."
        ),
    )
    tie_break_order = models.JSONField(
        _("tie-break order"),
        default=list,
        blank=True,
        help_text=_("Applied in this order when totals are equal."),
    )
    vote_threshold = models.DecimalField(
        _("vote threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    vote_threshold_strict = models.BooleanField(
        _("more than the threshold"),
        default=True,
        help_text=_("On: more than the threshold passes (> 50%). Off: reaching it passes."),
    )
    vote_base = models.CharField(
        _("vote base"), max_length=20, choices=VoteBase.choices, default=VoteBase.MEMBERS
    )
    leading_units = models.PositiveSmallIntegerField(
        _("number of leading units"), default=1, validators=[MinValueValidator(1)]
    )
    registration_deadline = models.DateField(_("registration deadline"), null=True, blank=True)
    scoring_deadline = models.DateField(_("self-scoring deadline"), null=True, blank=True)
    launch_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("launch and signing meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="launched_pledges",
    )
    review_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("year-end review meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_pledges",
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PledgeQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "-year"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year"],
                name="one_pledge_per_bloc_and_year",
                violation_error_message=_("This bloc already has a pledge for that year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} {self.year}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("pledges:pledge_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        """A closed year is read-only for everyone until reopened with a reason."""
        return self.status == self.Status.CLOSED

    @property
    def is_cross_scored(self) -> bool:
        return self.scoring_method != self.ScoringMethod.SELF_VERIFIED


class PledgeItem(models.Model):
    """One content of the pledge, in order (what the members commit to)."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("content"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "order", "pk"]
        verbose_name = _("pledge content")
        verbose_name_plural = _("pledge contents")

    def __str__(self) -> str:
        return self.text[:80]


class Criterion(models.Model):
    """A node of the criteria tree: a group, a criterion or a sub-criterion.

    The children of a node may not add up to more than the node's max points
    (checked by the services, since it spans rows).
    """

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="criteria"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("criterion"))
    max_points = _points_field(_("max points"))
    bonus_cap = models.DecimalField(
        _("bonus cap"),
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Bonus points this criterion may add; empty for none."),
        **POINTS,
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "code"],
                name="criterion_code_unique_in_pledge",
                violation_error_message=_("Another criterion of this pledge has that code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text[:60]}"


class CommendationQuota(models.Model):
    """At most so many proposals of one commendation in a year (e.g. 20% for the flag)."""

    class Base(models.TextChoices):
        MEMBERS = "members", _("Members of the bloc")
        LEADING = "leading", _("Leading units")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="quotas"
    )
    title = models.ForeignKey(
        EmulationTitle, verbose_name=_("commendation"), on_delete=models.PROTECT, related_name="+"
    )
    max_percent = models.DecimalField(
        _("at most (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    base = models.CharField(_("of"), max_length=20, choices=Base.choices, default=Base.MEMBERS)
    max_count = models.PositiveSmallIntegerField(_("at most (number)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "title__order"]
        verbose_name = _("commendation quota")
        verbose_name_plural = _("commendation quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "title"], name="one_quota_per_pledge_and_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.max_percent or ''}% / {self.max_count or ''}"


class PledgeSignature(models.Model):
    """A member organization's signature of the pledge, online or recorded at the meeting."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="signatures"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("signed by"), max_length=200)
    signer_position = models.CharField(_("position"), max_length=300)
    signed_at = models.DateTimeField(_("signed at"))
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("recorded at meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pledge", "signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "organization"],
                name="one_signature_per_pledge_and_organization",
                violation_error_message=_("This organization has already signed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.signer_name}"


class Registration(models.Model):
    """A member's registration (đăng ký thi đua): the titles it aims for and its targets."""

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("pledge"), on_delete=models.CASCADE, related_name="registrations"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    titles = models.ManyToManyField(
        EmulationTitle, verbose_name=_("titles aimed for"), blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    history = HistoricalRecords(m2m_fields=[titles])

    class Meta:
        ordering = ["pledge", "organization__name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["pledge", "organization"],
                name="one_registration_per_pledge_and_organization",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.pledge.year}"


class RegistrationTarget(models.Model):
    """A registered target for one content of the pledge: text and an optional number."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    item = models.ForeignKey(
        PledgeItem, verbose_name=_("pledge content"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("target"))
    number = models.DecimalField(
        _("number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=50, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["registration", "item__order", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "item"], name="one_target_per_registration_and_item"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]


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
        ordering = ["pledge", "organization__name", "round"]
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
    points = _points_field(_("points"))
    bonus = _points_field(_("bonus points"), default=ZERO)
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
        ordering = ["pledge", "organization__name", "kind", "created_at"]
        verbose_name = _("bonus or penalty")
        verbose_name_plural = _("bonuses and penalties")

    def __str__(self) -> str:
        sign = "+" if self.kind == self.Kind.BONUS else "−"
        return f"{self.organization}: {sign}{self.points} ({self.reason})"


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
        ordering = ["ballot", "-votes", "organization__name"]
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
        ordering = ["pledge", "title__order", "organization__name"]
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
