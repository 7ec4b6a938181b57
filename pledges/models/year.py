"""The emulation year: the pledge with its contents, criteria tree, rules and quotas, the
signatures, and what members register for."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from blocs.models import Bloc, Meeting, Organization, readable_years

POINTS = {"max_digits": 7, "decimal_places": 2}
# Reminders of a deadline go out this many days before it (and once the day after it).
DEFAULT_REMINDER_DAYS = "7,3,1"
MAX_REMINDER_DAYS = 60
ZERO = Decimal("0")


def points_field(verbose_name, **kwargs) -> models.DecimalField:
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
    # Titles that need a record of several years (e.g. five consecutive years): the council
    # page shows the proposed unit's record for those years from the portal's own data.
    consecutive_years_required = models.PositiveSmallIntegerField(
        _("consecutive years required"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(20)],
        help_text=_("For a title that needs so many consecutive years; empty: none."),
    )
    consecutive_title = models.ForeignKey(
        "self",
        verbose_name=_("held each of those years"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The title the unit must have been accepted for in each of those years; empty: "
            "it must have led its bloc each year."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("emulation title or commendation")
        verbose_name_plural = _("emulation titles and commendations")

    def __str__(self) -> str:
        return self.name


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user) -> PledgeQuerySet:
        """The pledges of the years the user reads (`blocs.models.readable_years`)."""
        return self.filter(readable_years(user))


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
    verification_deadline = models.DateField(
        _("verification deadline"),
        null=True,
        blank=True,
        help_text=_("By when the secretariat verifies the members' self-scoring."),
    )
    reminder_days = models.CharField(
        _("reminders (days before a deadline)"),
        max_length=50,
        default=DEFAULT_REMINDER_DAYS,
        blank=True,
        help_text=_(
            "Members are reminded this many days before each deadline, e.g. “7,3,1”; "
            "empty for no reminders."
        ),
    )
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

    @property
    def reminder_day_list(self) -> list[int]:
        """The days of `reminder_days`, largest first (a malformed part is left out)."""
        days = {int(part) for part in self.reminder_days.split(",") if part.strip().isdigit()}
        return sorted((d for d in days if 0 < d <= MAX_REMINDER_DAYS), reverse=True)


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
    max_points = points_field(_("max points"))
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
        ordering = ["pledge", "organization__sort_name"]
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
