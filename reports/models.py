"""Official documents of a bloc: the drafts the secretariat writes and the PDFs built from them.

A `ReportDraft` is one document of a bloc and year (year-end report, mid-year report,
minutes of a meeting, the pledge text): the header, the narrative sections that people
write, the signature block and the recipients. Everything else in the document (members,
scores, ranking, meetings) is gathered from the database when a PDF is built.

A `Report` is one request to build a PDF of a draft. It is queued, claimed by one worker,
and ends ready (with its PDF) or failed (with a readable reason). Earlier PDFs are kept.

A `DocumentStyle` is a header profile (Decree 30 or the Youth Union's), editable in the
admin; a `NumberSequence` hands out document numbers per issuer and year, atomically.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from blocs.models import Bloc, Meeting, Organization, readable_years

from .kinds import DocumentKind, all_kinds, get_kind, kind_choices


class DocumentStyle(models.Model):
    """A header and numbering profile for official documents."""

    class Header(models.TextChoices):
        ND30 = "nd30", _("State administrative (Decree 30/2020)")
        YOUTH = "youth", _("Youth Union")

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    header = models.CharField(
        _("header layout"), max_length=10, choices=Header.choices, default=Header.ND30
    )
    motto_line1 = models.CharField(
        _("national title"),
        max_length=200,
        default="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        help_text=_("First line at the top right of a Decree 30 header."),
    )
    motto_line2 = models.CharField(
        _("motto"),
        max_length=200,
        default="Độc lập - Tự do - Hạnh phúc",
        help_text=_("Second line, underlined, below the national title."),
    )
    youth_title = models.CharField(
        _("youth union title"),
        max_length=200,
        default="ĐOÀN TNCS HỒ CHÍ MINH",
        help_text=_("Top right line of a Youth Union header."),
    )
    number_pattern = models.CharField(
        _("number pattern"),
        max_length=60,
        default="{number}/{type}-{issuer}",
        help_text=_(
            "How the number and symbol are written: {number} (two digits at least), "
            "{type} (BC, BB, GƯ) and {issuer} (the issuer's abbreviation)."
        ),
    )
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Used for issuers that are not a Youth Union."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("document style")
        verbose_name_plural = _("document styles")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="one_default_document_style",
                violation_error_message=_("Only one document style can be the default."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def format_symbol(self, *, number: int, type_code: str, issuer: str) -> str:
        return self.number_pattern.format(number=f"{number:02d}", type=type_code, issuer=issuer)


class ReportDraftQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportDraftQuerySet:
        """The documents of the years the user reads (`blocs.models.readable_years`)."""
        return self.filter(readable_years(user))


class ReportDraft(models.Model):
    """One official document of a bloc and year, as the secretariat writes it."""

    # The kinds of the registry (reports/kinds/) by name, for code that names one
    # (ReportDraft.Kind.MINUTES); the field's choices read the registry itself.
    Kind = models.TextChoices(
        "Kind", [(kind.code.upper(), (kind.code, kind.label)) for kind in all_kinds()]
    )

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("bloc"), on_delete=models.CASCADE, related_name="report_drafts"
    )
    year = models.PositiveSmallIntegerField(_("emulation year"))
    kind = models.CharField(_("kind"), max_length=20, choices=kind_choices)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_drafts",
        help_text=_("Only for minutes: the meeting they record."),
    )
    issuer = models.ForeignKey(
        Organization,
        verbose_name=_("issuing organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_report_drafts",
        help_text=_("Defaults to the chair of that year; its abbreviation goes in the number."),
    )
    parent_body = models.CharField(
        _("parent body"),
        max_length=255,
        blank=True,
        help_text=_("Line above the issuer in the header, e.g. “ỦY BAN MTTQ VIỆT NAM TỈNH …”."),
    )
    issuer_title = models.CharField(
        _("issuer line"),
        max_length=255,
        blank=True,
        help_text=_("The issuer's name in the header, in capitals."),
    )
    style = models.ForeignKey(
        DocumentStyle,
        verbose_name=_("document style"),
        on_delete=models.PROTECT,
        related_name="drafts",
    )
    place = models.CharField(
        pgettext_lazy("place name in a date line", "place"),
        max_length=100,
        blank=True,
        help_text=_("Place name before the date."),
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    number = models.PositiveIntegerField(
        _("number"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Allocated once, when the first PDF is requested; kept for rebuilds."),
    )
    number_year = models.PositiveSmallIntegerField(
        _("numbering year"), null=True, blank=True, editable=False
    )
    symbol = models.CharField(_("number and symbol"), max_length=60, blank=True, editable=False)

    situation = models.TextField(_("situation"), blank=True)
    results = models.TextField(_("results"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    directions = models.TextField(_("directions and tasks"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)

    signer_name = models.CharField(_("signer"), max_length=255, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=255, blank=True)
    sign_mode = models.CharField(
        _("signing on behalf"),
        max_length=100,
        blank=True,
        help_text=_("e.g. “TM. BAN THƯỜNG TRỰC” or “KT. TRƯỞNG KHỐI”."),
    )
    recipients = models.TextField(
        _("recipients"), blank=True, help_text=_("One per line, e.g. “- Lưu: VT.”.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReportDraftQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc", "-year", "kind"]
        verbose_name = _("document draft")
        verbose_name_plural = _("document drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "year", "kind"],
                condition=Q(meeting__isnull=True),
                name="one_report_draft_per_bloc_year_kind",
                violation_error_message=_("This bloc already has this document for that year."),
            ),
            models.UniqueConstraint(
                fields=["bloc", "year", "kind", "meeting"],
                condition=Q(meeting__isnull=False),
                name="one_report_draft_per_meeting_and_kind",
                violation_error_message=_("This meeting already has this document."),
            ),
            models.UniqueConstraint(
                fields=["issuer", "number_year", "number"],
                condition=Q(number__isnull=False),
                name="one_document_number_per_issuer_and_year",
                violation_error_message=_("This number is already used by another document."),
            ),
            # The kinds that need a meeting (DocumentKind.needs_meeting; a test holds the two
            # together): a database rule, so a new kind of them needs a migration.
            models.CheckConstraint(
                condition=Q(kind="minutes") | Q(meeting__isnull=True),
                name="report_draft_meeting_only_for_minutes",
                violation_error_message=_("Only minutes belong to a meeting."),
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.get_kind_display()} {self.year} – {self.bloc}"
        return f"{self.symbol} {label}" if self.symbol else label

    def get_absolute_url(self) -> str:
        return reverse("reports:draft_edit", args=[self.pk])

    @property
    def document_kind(self) -> DocumentKind:
        return get_kind(self.kind)

    @property
    def type_code(self) -> str:
        """The type part of the symbol, e.g. BC in “05/BC-HLHPN” (Decree 30, appendix III)."""
        return self.document_kind.type_code

    @property
    def is_issued(self) -> bool:
        return self.number is not None


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportQuerySet:
        return self.filter(readable_years(user, bloc="draft__bloc", year="draft__year"))


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> ReportQuerySet:
        # The gathered data (tens of kB) is read by the worker that renders it, not by pages.
        return super().get_queryset().defer("data")


def report_path(instance: Report, filename: str) -> str:
    # Under MEDIA_ROOT but never served directly: downloads go through a view that checks access.
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    draft = instance.draft
    return f"reports/{draft.bloc_id}/{draft.year}/{draft.kind}-{uuid.uuid4().hex}.{suffix}"


class Report(models.Model):
    """One request to build a PDF of a draft, and its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    draft = models.ForeignKey(
        ReportDraft,
        verbose_name=pgettext_lazy("document being written", "draft"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=0,
        help_text=_("How many times a worker started building it (capped by REPORT_MAX_ATTEMPTS)."),
    )
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, max_length=255, blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to=report_path, max_length=255, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    data = models.JSONField(
        _("gathered data"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "What the document is built from, gathered once when the build was requested; "
            "the worker renders it, so the PDF is what the digest says."
        ),
    )
    input_digest = models.CharField(
        _("input digest"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("SHA-256 of the gathered data and template version; same digest, same PDF."),
    )

    objects = ReportManager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        get_latest_by = "requested_at"
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(pdf=""),
                name="report_ready_has_pdf",
                violation_error_message=_("A ready report must have its PDF."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draft} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:report_download", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status in {self.Status.READY, self.Status.FAILED}

    @property
    def filename(self) -> str:
        """The name offered to the browser, e.g. “05-BC-HLHPN-year_end-2024.pdf”."""
        draft = self.draft
        prefix = draft.symbol.replace("/", "-") + "-" if draft.symbol else ""
        return f"{prefix}{draft.kind}-{draft.year}"


class NumberSequence(models.Model):
    """The last document number an issuer gave in a year (one sequence for all types)."""

    issuer = models.ForeignKey(
        Organization,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="number_sequences",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    type_code = models.CharField(
        _("document type"),
        max_length=10,
        blank=True,
        default="",
        help_text=_("Empty: one sequence for every type of document (Decree 30)."),
    )
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        ordering = ["issuer", "-year", "type_code"]
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "type_code"],
                name="one_number_sequence_per_issuer_year_type",
                violation_error_message=_("This issuer already has a sequence for that year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.year}: {self.last}"
