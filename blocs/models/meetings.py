"""Meetings of a bloc: the record (people, attendance, agenda, minutes), its attachments and
the decisions taken there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.lib.files import StoredUpload
from portal.lib.types import Person

from .blocs import Bloc, ChairTerm, Membership, Organization, readable_years


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: Person) -> MeetingQuerySet:
        """The meetings of the years the user reads (`readable_years`)."""
        return self.filter(readable_years(user))

    def upcoming(self) -> MeetingQuerySet:
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")


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

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
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

    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "organization__name"]
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


class MeetingDecision(models.Model):
    """A decision taken at a meeting and already applied: an election or a membership change."""

    class Kind(models.TextChoices):
        ELECTION = "election", _("Election of chair and deputy")
        JOIN = "join", _("Organization joins")
        LEAVE = "leave", _("Organization leaves")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=500)
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
        return self.summary
