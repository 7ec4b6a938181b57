"""Meetings of a bloc: the record (people, attendance, agenda, minutes), its attachments and
the decisions taken there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from portal.lib.files import StoredUpload
from portal.lib.text import sentence
from portal.lib.types import Person

from .blocs import Bloc, ChairTerm, Membership, Organization, readable_years


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: Person) -> MeetingQuerySet:
        """The meetings of the years the user reads (`readable_years`)."""
        return self.filter(readable_years(user))

    def upcoming(self) -> MeetingQuerySet:
        """What is still to come (a cancelled meeting is not)."""
        coming = self.filter(starts_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED)
        return coming.order_by("starts_at")


class Meeting(models.Model):
    """A conference of a bloc: launch and pledge signing, reviews, workshops, inspections."""

    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Launch and pledge signing")
        MID_YEAR = "mid_year", _("Mid-year review")
        YEAR_END = "year_end", _("Year-end review")
        WORKSHOP = "workshop", _("Workshop")
        CROSS_INSPECTION = "cross_inspection", _("Cross-inspection")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        APPROVED = "approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("bloc"), on_delete=models.CASCADE, related_name="meetings"
    )
    year = models.PositiveSmallIntegerField(
        _("emulation year"), help_text=_("The emulation year the meeting belongs to.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300)
    host = models.ForeignKey(
        Organization,
        verbose_name=_("host organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    conclusions = models.TextField(_("conclusions of the presiding person"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # RFC 5545 SEQUENCE: grows each time the invitation changes (time, place, title, a
    # cancellation), so a calendar that holds the meeting replaces its copy instead of
    # keeping the old one.
    sequence = models.PositiveIntegerField(_("invitation revision"), default=0, editable=False)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        # The default order, the admin's changelist and "upcoming" read this index.
        indexes = [
            models.Index(fields=["starts_at"], name="meeting_starts_at"),
            # The admin's year filter in date order: without it the starts_at index is
            # walked back from the newest meeting to the year asked (31 ms at a tenth of
            # the national data for the oldest year; an index range with it).
            models.Index(fields=["year", "starts_at"], name="meeting_year_starts_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_it_starts",
                violation_error_message=_("The end must be after the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("blocs:meeting_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """Approved minutes are read-only until reopened with a reason."""
        return self.status == self.Status.APPROVED

    @property
    def is_cancelled(self) -> bool:
        """A cancelled meeting is kept (its notice, its calendar entry) but never edited."""
        return self.status == self.Status.CANCELLED


class MeetingPerson(models.Model):
    """Someone named in the record: a presiding person, the secretary or a guest."""

    class Role(models.TextChoices):
        PRESIDING = "presiding", _("Presiding")
        SECRETARY = "secretary", _("Secretary (minute-taker)")
        GUEST = "guest", _("Invited guest")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="people"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(_("position"), max_length=300, blank=True)
    organization = models.CharField(_("organization"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "role", "order", "pk"]
        verbose_name = _("person at a meeting")
        verbose_name_plural = _("people at a meeting")

    def __str__(self) -> str:
        return f"{self.name} – {self.position}" if self.position else self.name


class Attendance(models.Model):
    """Whether a member organization attended, and who represented it."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Absent with excuse")
        ABSENT = "absent", _("Absent without excuse")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendance"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("attendance"), max_length=20, choices=Status.choices, default=Status.PRESENT
    )
    representative = models.CharField(_("representative"), max_length=200, blank=True)
    representative_position = models.CharField(
        _("representative's position"), max_length=300, blank=True
    )
    absence_reason = models.CharField(
        _("reason for absence"),
        max_length=300,
        blank=True,
        help_text=_("Why the member was absent (e.g. “đi công tác”); the minutes print it."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "organization__sort_name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "organization"],
                name="one_attendance_row_per_meeting_and_organization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.get_status_display()}"


class AgendaItem(models.Model):
    """One item of the meeting's programme, in order."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="agenda"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("item"), max_length=300)
    presenter = models.CharField(_("presenter"), max_length=300, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class MeetingAttachment(StoredUpload):
    """A photo, signed scan or document of a meeting; served only to those who may see it."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        SIGNED_SCAN = "signed_scan", _("Signed scan")
        DOCUMENT = "document", _("Document")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    history = HistoricalRecords()  # uploads and deletions: who, when, which file

    class Meta:
        ordering = ["meeting", "uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blocs:attachment_download", args=[self.pk])

    def storage_folder(self) -> str:
        return f"meetings/{self.meeting.bloc_id}/{self.meeting_id}"


def deputy_word(bloc: Bloc) -> str:
    """A bloc's deputy in a sentence: "phó khối" or "cụm phó" (translated like
    `Bloc.chair_word`, so an English page says "bloc deputy")."""
    if bloc.kind == Bloc.Kind.CUM:
        return pgettext("in a sentence", "cluster deputy")
    return pgettext("in a sentence", "bloc deputy")


class MeetingDecision(models.Model):
    """A decision taken at a meeting, kept as data (its kind and what it is about), so that
    its sentence is written in the reader's language when shown, and in Vietnamese in the
    minutes, whatever language the recorder used. Only a free-text decision keeps a text."""

    class Kind(models.TextChoices):
        ELECTION = "election", _("Chair and deputy elected")
        JOIN = "join", _("An organization joins")
        LEAVE = "leave", _("An organization leaves")
        PLEDGE = "pledge", _("Adoption of the emulation pledge")
        RANKING = "ranking", _("Approval of the scores and ranking")
        OTHER = "other", _("Other decision (free text)")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_(
            "The year the decision is about: the chair's term, the first year of a joining or "
            "leaving, the pledge's or the ranking's year."
        ),
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The elected chair, or the organization that joins or leaves."),
    )
    deputy = models.ForeignKey(
        Organization,
        verbose_name=_("elected deputy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(
        _("text"),
        max_length=500,
        blank=True,
        help_text=_("Only for a free-text decision; the others are written from their data."),
    )
    chair_term = models.ForeignKey(
        ChairTerm,
        verbose_name=_("chair term"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "created_at"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.sentence()

    def sentence(self) -> str:
        """The decision as one sentence in the active language, from its data.

        Reads `meeting.bloc`, `organization` and `deputy`: fetch them with the decision.
        """
        if self.kind == self.Kind.OTHER or not self.year:
            return sentence(self.summary)
        bloc = self.meeting.bloc
        params: dict[str, object] = {
            "year": self.year,
            "kind_word": bloc.kind_word,
            "chair_word": bloc.chair_word,
            "deputy_word": deputy_word(bloc),
            "organization": self.organization.name if self.organization else "…",
            "deputy": self.deputy.name if self.deputy else "",
        }
        if self.kind == self.Kind.ELECTION:
            text = (
                _(
                    "Elected %(organization)s as %(chair_word)s for %(year)s and %(deputy)s "
                    "as %(deputy_word)s."
                )
                if self.deputy
                else _("Elected %(organization)s as %(chair_word)s for %(year)s.")
            )
        elif self.kind == self.Kind.JOIN:
            text = _("%(organization)s joins the %(kind_word)s from %(year)s.")
        elif self.kind == self.Kind.LEAVE:
            text = _("%(organization)s leaves the %(kind_word)s from %(year)s.")
        elif self.kind == self.Kind.PLEDGE:
            text = _("Adopted the emulation pledge for %(year)s.")
        else:
            text = _("Approved the scores and the ranking of the members for %(year)s.")
        return sentence(capfirst(str(text) % params))

    sentence.short_description = _("decision")  # type: ignore[attr-defined]
