"""Official documents of a bloc: the drafts the secretariat writes and the PDFs built from them.

A `ReportDraft` is one document of a bloc and year (year-end report, mid-year report,
minutes of a meeting, the pledge text): the header, the narrative sections that people
write, the signature block and the recipients. Everything else in the document (members,
scores, ranking, meetings) is gathered from the database when a PDF is built.

A `Report` is one request to build a PDF of a draft. It is queued, claimed by one worker,
and ends ready (with its PDF) or failed (with a readable reason). Earlier PDFs are kept.

A `DocumentStyle` is a header profile (Decree 30 or the Youth Union's), editable in the
admin; a `NumberSequence` hands out document numbers per issuer (or bloc) and year, atomically.

A draft is built as often as needed without a number (a “DỰ THẢO”). Issuing it
(reports/issuing.py) fixes its number, date and content (the gathered data, its digest and
the PDF built from them) and makes it read-only; a change after that is a replacement: a new
draft that names the one it replaces, which is marked replaced when the new one is issued.
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


def scan_path(instance: ReportDraft, filename: str) -> str:
    return f"reports/{instance.bloc_id}/{instance.year}/scan-{uuid.uuid4().hex}.pdf"


class ReportDraft(models.Model):
    """One official document of a bloc and year, as the secretariat writes it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        REPLACED = "replaced", _("Replaced")

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
    subject = models.ForeignKey(
        Organization,
        verbose_name=_("reporting unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_report_drafts",
        help_text=_(
            "Only for an achievement report: the proposed unit it reports on, whose officials "
            "write, issue and sign it."
        ),
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
        help_text=_(
            "Place name before the date, e.g. “Hải Phòng”; the bloc's locality by default. "
            "A document is not built without it."
        ),
    )
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    number = models.PositiveIntegerField(
        _("number"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Given when the document is issued, never before."),
    )
    number_year = models.PositiveSmallIntegerField(
        _("numbering year"), null=True, blank=True, editable=False
    )
    symbol = models.CharField(_("number and symbol"), max_length=60, blank=True, editable=False)
    numbering = models.CharField(
        _("numbered by"),
        max_length=10,
        choices=Organization.Numbering.choices,
        blank=True,
        editable=False,
        help_text=_("Where its number came from when it was issued."),
    )
    series_bloc = models.ForeignKey(
        Bloc,
        verbose_name=_("bloc series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Set when the number comes from the bloc's own series."),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    issued_digest = models.CharField(
        _("digest of the issued content"), max_length=64, blank=True, editable=False
    )
    issued_fingerprint = models.CharField(
        _("fingerprint of the data at issue"),
        max_length=32,
        blank=True,
        editable=False,
        help_text=_("Tells whether the data the document was made from has changed since."),
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="replaced_by",
        help_text=_("The issued document this one replaces."),
    )
    scan = models.FileField(_("signed scan"), upload_to=scan_path, max_length=255, blank=True)
    scan_name = models.CharField(_("scan's file name"), max_length=255, blank=True)
    scan_size = models.PositiveIntegerField(_("scan's size (bytes)"), null=True, blank=True)
    scan_uploaded_at = models.DateTimeField(_("scan uploaded at"), null=True, blank=True)
    scan_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scan uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    situation = models.TextField(_("situation"), blank=True)
    results = models.TextField(_("results"), blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    shortcomings = models.TextField(_("shortcomings and limitations"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    directions = models.TextField(_("directions and tasks"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)

    signer_name = models.CharField(
        _("signer"),
        max_length=255,
        blank=True,
        help_text=_(
            "Family name first, e.g. “Vũ Thị Bích Liên”; the head of that year's chair by "
            "default. A document is not built without it."
        ),
    )
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
            # One document being written per bloc, year and kind (per meeting, for minutes);
            # issued and replaced ones stay beside it.
            models.UniqueConstraint(
                fields=["bloc", "year", "kind"],
                condition=Q(meeting__isnull=True, subject__isnull=True, status="draft"),
                name="one_report_draft_per_bloc_year_kind",
                violation_error_message=_("This bloc already has this document for that year."),
            ),
            models.UniqueConstraint(
                fields=["bloc", "year", "kind", "meeting"],
                condition=Q(meeting__isnull=False, status="draft"),
                name="one_report_draft_per_meeting_and_kind",
                violation_error_message=_("This meeting already has this document."),
            ),
            # An achievement report: one being written per proposed unit of the bloc-year.
            models.UniqueConstraint(
                fields=["bloc", "year", "kind", "subject"],
                condition=Q(subject__isnull=False, status="draft"),
                name="one_report_draft_per_subject_and_kind",
                violation_error_message=_("This unit already has this document for that year."),
            ),
            # A number and symbol once per registry and year: the issuer's own registry (the
            # portal's or the one it keeps), or the bloc's series. Two issues at once with the
            # same typed number: the database lets one through.
            models.UniqueConstraint(
                fields=["issuer", "number_year", "symbol"],
                condition=Q(number__isnull=False, series_bloc__isnull=True),
                name="one_symbol_per_issuer_and_year",
                violation_error_message=_("This number is already used by another document."),
            ),
            models.UniqueConstraint(
                fields=["series_bloc", "number_year", "symbol"],
                condition=Q(series_bloc__isnull=False),
                name="one_symbol_per_bloc_series_and_year",
                violation_error_message=_("This number is already used by another document."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(number__isnull=False, issue_date__isnull=False),
                name="report_draft_issued_has_number_and_date",
                violation_error_message=_("An issued document has its number and date."),
            ),
            # The kinds that need a meeting (DocumentKind.needs_meeting; a test holds the two
            # together): a database rule, so a new kind of them needs a migration.
            models.CheckConstraint(
                condition=Q(kind="minutes") | Q(meeting__isnull=True),
                name="report_draft_meeting_only_for_minutes",
                violation_error_message=_("Only minutes belong to a meeting."),
            ),
            # The kinds about one unit (DocumentKind.subject_defaults; a test holds the two
            # together) have that unit, and only they.
            models.CheckConstraint(
                condition=Q(kind="achievement", subject__isnull=False)
                | (~Q(kind="achievement") & Q(subject__isnull=True)),
                name="report_draft_subject_only_for_achievements",
                violation_error_message=_("Only an achievement report is about one unit."),
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
        """Issued (or issued and replaced since): read-only, with its number and date."""
        return self.status != self.Status.DRAFT

    @property
    def is_replaced(self) -> bool:
        return self.status == self.Status.REPLACED


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
    heartbeat_at = models.DateTimeField(
        _("last heartbeat"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Renewed by the worker while it builds; a build whose heartbeat is older than "
            "REPORT_LEASE_SECONDS has lost its worker and is sent again."
        ),
    )
    attempts = models.PositiveSmallIntegerField(
        _("attempts"),
        default=0,
        help_text=_("How many times a worker started building it (capped by REPORT_MAX_ATTEMPTS)."),
    )
    error = models.TextField(_("error"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_path, max_length=255, blank=True)
    xlsx = models.FileField(_("spreadsheet"), upload_to=report_path, max_length=255, blank=True)
    docx = models.FileField(
        _("Word document"),
        upload_to=report_path,
        max_length=255,
        blank=True,
        help_text=_("The same document as a .docx, to finish in Word before signing."),
    )
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
    issued = models.BooleanField(
        _("issued version"),
        default=False,
        editable=False,
        help_text=_("The build made when the document was issued, with its number and date."),
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
            models.UniqueConstraint(
                fields=["draft"],
                condition=Q(issued=True),
                name="one_issued_build_per_document",
                violation_error_message=_("The document already has its issued version."),
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
    """The last document number an issuer (or a bloc keeping its own series) gave in a
    year (one sequence for all types)."""

    issuer = models.ForeignKey(
        Organization,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="number_sequences",
    )
    bloc = models.ForeignKey(
        Bloc,
        verbose_name=_("bloc series"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="number_sequences",
        help_text=_("Set for the bloc's own series (issuers numbering in the bloc's series)."),
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
                condition=Q(bloc__isnull=True),
                name="one_number_sequence_per_issuer_year_type",
                violation_error_message=_("This issuer already has a sequence for that year."),
            ),
            models.UniqueConstraint(
                fields=["bloc", "year", "type_code"],
                condition=Q(bloc__isnull=False),
                name="one_number_sequence_per_bloc_year_type",
                violation_error_message=_("This bloc already has a sequence for that year."),
            ),
            models.CheckConstraint(
                condition=Q(issuer__isnull=True) ^ Q(bloc__isnull=True),
                name="number_sequence_of_an_issuer_or_a_bloc",
                violation_error_message=_("A sequence belongs to an issuer or to a bloc."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer or self.bloc} {self.year}: {self.last}"


class IssuedDocument(ReportDraft):
    """The register of issued documents (sổ đăng ký văn bản đi), as the admin reads it."""

    class Meta:
        proxy = True
        ordering = ["-number_year", "issuer", "-number"]
        verbose_name = _("issued document")
        verbose_name_plural = _("register of issued documents")
