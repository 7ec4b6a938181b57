"""Document pages: the list per bloc and year, the draft editor with its live preview, the
build button, the progress of a build (polled by htmx), downloads and retries.

Access is the policy's (`reports.rules`, which asks `blocs.rules`): members of a bloc read its
documents (404 for outsiders, even with the URL); the secretariat of the document's year
writes, previews, builds and retries (403 for the other members).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blocs.models import current_year
from blocs.rules import Access, get_bloc_or_404, list_year, read_years
from blocs.selectors import members_in
from portal.lib.csp import allow_styles_of
from portal.lib.files import private_download
from portal.lib.http import GET_POST, post_only, year_param

from . import dossier as dossiers
from . import forms as f
from . import issuing, services
from .models import Report, ReportDraft
from .rules import (
    documents_for,
    get_draft_or_404,
    get_report_or_404,
    may_issue,
    official_organizations,
)

# Reading -------------------------------------------------------------------


@require_GET
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    reads = read_years(request.user, pk)
    bloc, access = get_bloc_or_404(request, pk, year=list_year(request, pk, reads))
    year = access.year
    drafts = list(
        ReportDraft.objects.filter(bloc=bloc, year=year)
        .select_related("meeting", "subject", "issuer", "replaces", "replaced_by")
        .prefetch_related("reports")
        .order_by("kind", "meeting__starts_at")
    )
    drafts = documents_for(access, drafts)
    can_write = access.can_write
    open_form = f.DraftOpenForm(bloc=bloc, year=year) if can_write else None
    stored = ReportDraft.objects.filter(bloc=bloc).values_list("year", flat=True)
    years = sorted((y for y in {current_year(), year, *stored} if reads(y)), reverse=True)
    context = {
        "bloc": bloc,
        "year": year,
        "years": years,
        "drafts": drafts,
        "can_write": can_write,
        "open_form": open_form,
    }
    return render(request, "reports/report_list.html", context)


@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of one build; htmx polls it until the build is ready or failed."""
    report, access = get_report_or_404(request, pk)
    return render(request, "reports/_report_status.html", _status_context(report, access))


def _status_context(report: Report | None, access: Access) -> dict:
    if report is None:
        return {"report": None}
    return {
        "report": report,
        "stuck": services.is_stuck(report),
        "max_attempts": services.max_attempts(),
        "can_write": access.can_write,
    }


def _file_response(report: Report, field: str, suffix: str, content_type: str) -> FileResponse:
    """A file of a ready build. Once a document has its signed scan, that is what members
    get (`document_download`); its generated files stay with the secretariat."""
    if report.status != Report.Status.READY:
        raise Http404
    return private_download(getattr(report, field), f"{report.filename}.{suffix}", content_type)


@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report, access = get_report_or_404(request, pk)
    if report.draft.scan and not may_issue(access):
        raise PermissionDenied
    return _file_response(report, "pdf", "pdf", "application/pdf")


@require_GET
def report_docx(request: HttpRequest, pk: int) -> FileResponse:
    report, access = get_report_or_404(request, pk)
    if report.draft.scan and not may_issue(access):
        raise PermissionDenied  # as the PDF: once signed, the scan is the document
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return _file_response(report, "docx", "docx", docx)


@require_GET
def report_xlsx(request: HttpRequest, pk: int) -> FileResponse:
    report, _access = get_report_or_404(request, pk)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _file_response(report, "xlsx", "xlsx", xlsx)


# Writing -------------------------------------------------------------------


@GET_POST
def draft_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open (or start) the bloc's document of a kind for the year; POST only."""
    bloc, access = get_bloc_or_404(request, pk, need="write", year=year_param(request))
    year = access.year
    list_url = reverse("reports:report_list", args=[bloc.pk]) + f"?year={year}"
    if request.method != "POST":
        return redirect(list_url)
    form = f.DraftOpenForm(request.POST, bloc=bloc, year=year)
    if not form.is_valid():
        messages.error(request, _("Choose a document (and the meeting, for minutes)."))
        return redirect(list_url)
    try:
        draft = services.draft_get_or_create(
            bloc=bloc, year=year, actor=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(list_url)
    return redirect(draft)


@GET_POST
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft, access = get_draft_or_404(request, pk)
    members = members_in(draft.bloc, draft.year)
    form = f.DraftForm(request.POST or None, instance=draft, members=members)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        if form.fields["issuer"].disabled:
            fields.pop("issuer")
        try:
            draft = services.draft_update(draft=draft, actor=request.user, **fields)
            if request.POST.get("action") == "build":
                return _request_build(request, draft)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The draft has been saved."))
            return redirect(draft)
    latest = draft.reports.order_by("-requested_at", "-pk").first()
    issued = issuing.issued_report(draft)
    context = {
        "draft": draft,
        "issued": issued,
        "may_issue": may_issue(access),
        "data_changed": _data_changed(draft),
        "bloc": draft.bloc,
        "year": draft.year,
        "form": form,
        "builds": draft.reports.order_by("-requested_at", "-pk")[:10],
        **_status_context(latest, access),
        "preview": _preview_html(draft, issued),
    }
    # The preview frame inherits this page's Content-Security-Policy.
    return allow_styles_of(render(request, "reports/draft_edit.html", context), context["preview"])


def _data_changed(draft: ReportDraft) -> bool:
    """An issued document whose data has changed since (a hint that it may need replacing)."""
    if not draft.is_issued or not draft.issued_fingerprint:
        return False
    from . import documents

    return documents.data_fingerprint() != draft.issued_fingerprint


def _preview_html(draft: ReportDraft, issued: Report | None = None) -> str:
    """The whole document as HTML (an issued one as it was issued); on a problem, a
    readable note instead of a 500."""
    from . import documents

    try:
        if issued is not None and issued.data:
            html = documents.render_html(issued, issued.data)
        else:
            html = documents.render_html(None, documents.gather_for_preview(draft))
    except Exception as exc:  # the preview must never break the editor
        return _("The preview could not be made: %(error)s") % {"error": exc}
    # Stylesheets of the document resolve against the renderer's private origin; in the
    # browser the same files sit under the portal's own static URL.
    from . import rendering

    return html.replace(getattr(rendering, "BASE_URL", "\0"), "/")


@GET_POST
def draft_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview of the whole document, with the editor's unsaved text."""
    draft, _access = get_draft_or_404(request, pk)
    if request.method == "POST":
        form = f.PreviewForm(request.POST, draft=draft)
        form.is_valid()  # every field is optional; invalid ones are simply left out
        unsaved = {k: v for k, v in form.cleaned_data.items() if k in request.POST}
        draft = services.draft_preview_copy(draft, **unsaved)
    return render(request, "reports/_preview.html", {"preview": _preview_html(draft)})


def _request_build(request: HttpRequest, draft: ReportDraft) -> HttpResponse:
    before = set(draft.reports.values_list("pk", flat=True))
    report = services.report_request(draft=draft, actor=request.user)
    if report.pk in before and report.status == Report.Status.READY:
        messages.info(request, _("Nothing has changed since the last build: here is that PDF."))
    elif report.pk in before:
        messages.info(request, _("This document is already being built."))
    else:
        report.refresh_from_db(fields=["status"])  # built already when tasks run inline
        if report.status == Report.Status.READY:
            messages.success(request, _("The PDF has been built."))
        elif report.status == Report.Status.QUEUED:
            messages.success(request, _("The document has been queued for building."))
    return redirect(reverse("reports:draft_edit", args=[draft.pk]) + "#build")


@GET_POST
def report_build(request: HttpRequest, pk: int) -> HttpResponse:
    draft, _access = get_draft_or_404(request, pk)
    if refused := post_only(request):
        return refused
    try:
        return _request_build(request, draft)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(draft)


@GET_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report, _access = get_report_or_404(request, pk, need="write")
    draft = report.draft
    if refused := post_only(request):
        return refused
    try:
        services.report_retry(report=report, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The document has been queued for building again."))
    return redirect(reverse("reports:draft_edit", args=[draft.pk]) + "#build")


# Issuing -------------------------------------------------------------------


def _draft_page(draft: ReportDraft) -> HttpResponse:
    return redirect(draft)


@GET_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation page of an issue (number, date), and the issue itself on POST."""
    draft, access = get_draft_or_404(request, pk)
    if not may_issue(access):
        raise PermissionDenied
    if draft.is_issued:
        messages.info(request, str(issuing.NOT_A_DRAFT) % {"symbol": draft.symbol})
        return _draft_page(draft)
    try:
        plan = issuing.number_plan(draft)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _draft_page(draft)
    initial = {"issued_on": issuing.default_issue_date(draft)}
    form = f.IssueForm(request.POST or None, typed=plan.typed, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = issuing.document_issue(
                draft=draft,
                actor=request.user,
                issued_on=form.cleaned_data["issued_on"],
                number=form.cleaned_data.get("number"),
            )
        except ValidationError as exc:
            _add(form, exc)
        else:
            draft.refresh_from_db()
            message = _("Document No. %(symbol)s has been issued on %(date)s.") % {
                "symbol": draft.symbol,
                "date": f"{draft.issue_date:%d/%m/%Y}",
            }
            messages.success(request, message)
            report.refresh_from_db(fields=["status"])  # built already when tasks run inline
            if report.status != Report.Status.READY:
                messages.info(request, _("Its PDF is being built."))
            return _draft_page(draft)
    context = {"draft": draft, "bloc": draft.bloc, "year": draft.year, "form": form, "plan": plan}
    return render(request, "reports/document_issue.html", context)


def _add(form: forms.Form, exc: ValidationError) -> None:
    """A service's field errors on the form's fields (those it has), the rest on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@GET_POST
def document_replace(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the replacement of an issued document (after a confirmation page)."""
    draft, access = get_draft_or_404(request, pk)
    if not may_issue(access):
        raise PermissionDenied
    if not draft.is_issued:
        messages.error(request, str(issuing.REPLACE_NOT_ISSUED))
        return _draft_page(draft)
    if request.method == "POST":
        try:
            new = issuing.document_replace(draft=draft, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _draft_page(draft)
        messages.success(
            request,
            _("A replacement of No. %(symbol)s has been started; issue it when it is ready.")
            % {"symbol": draft.symbol},
        )
        return redirect(new)
    context = {"draft": draft, "bloc": draft.bloc, "year": draft.year}
    return render(request, "reports/document_replace.html", context)


@GET_POST
def document_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the signed scan on an issued document (confirming the replacement of one)."""
    draft, access = get_draft_or_404(request, pk)
    if not may_issue(access):
        raise PermissionDenied
    if not draft.is_issued:
        messages.error(request, str(issuing.SCAN_NOT_ISSUED))
        return _draft_page(draft)
    has_scan = bool(draft.scan)
    form = f.ScanForm(request.POST or None, request.FILES or None, has_scan=has_scan)
    if request.method == "POST" and form.is_valid():
        try:
            issuing.scan_upload(
                draft=draft,
                actor=request.user,
                uploaded=form.cleaned_data["file"],
                replace=form.cleaned_data.get("replace", False),
            )
        except ValidationError as exc:
            _add(form, exc)
        else:
            messages.success(request, _("The signed scan has been filed: members now get it."))
            return _draft_page(draft)
    context = {"draft": draft, "bloc": draft.bloc, "year": draft.year, "form": form}
    return render(request, "reports/document_scan.html", context)


@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """What members download of an issued document: its signed scan, else its issued PDF."""
    draft, _access = get_draft_or_404(request, pk, need="read")
    what, report = issuing.member_download(draft)
    stem = (draft.symbol or draft.kind).replace("/", "-")
    if what == "scan":
        name = f"{stem}-{draft.kind}-{draft.year}.pdf"
        return private_download(draft.scan, name, "application/pdf")
    if report is None:
        if not draft.is_issued:
            raise Http404
        # Issued a moment ago: its PDF is still being built (or failed and awaits a retry).
        messages.info(request, _("The issued PDF is not ready yet; try again in a moment."))
        list_url = reverse("reports:report_list", args=[draft.bloc_id])
        return redirect(f"{list_url}?year={draft.year}")
    return _file_response(report, "pdf", "pdf", "application/pdf")


# The dossier ----------------------------------------------------------------


@require_GET
def dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """The commendation dossier of the bloc's year: each part, its state and number."""
    bloc, access = get_bloc_or_404(request, pk, year=year_param(request))
    found = dossiers.dossier_for(bloc, access.year)
    own = official_organizations(request.user)
    rows = [
        {
            "part": part,
            "position": i,
            # Who opens a part's draft: the secretariat, and for a unit's own report its
            # officials instead (reports.rules).
            "writes": (
                access.is_admin or part.subject.pk in own
                if part.subject is not None
                else access.can_write
            ),
        }
        for i, part in enumerate(found.parts, start=1)
    ]
    context = {
        "bloc": bloc,
        "year": access.year,
        "dossier": found,
        "rows": rows,
        "can_write": access.can_write,
    }
    return render(request, "reports/dossier.html", context)


@GET_POST
def dossier_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the dossier's drafts (the secretariat's, and one per proposed unit); POST only."""
    bloc, access = get_bloc_or_404(request, pk, need="write", year=year_param(request))
    page = reverse("reports:dossier", args=[bloc.pk]) + f"?year={access.year}"
    if refused := post_only(request):
        return refused
    try:
        dossiers.dossier_prepare(bloc=bloc, year=access.year, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The dossier's drafts are ready to be written."))
    return redirect(page)


@require_GET
def dossier_zip(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued parts of the dossier as one archive, streamed, each named by its number."""
    bloc, access = get_bloc_or_404(request, pk, year=year_param(request))
    files = dossiers.dossier_files(dossiers.dossier_for(bloc, access.year))
    if not files:
        raise Http404
    response = StreamingHttpResponse(dossiers.stream_zip(files), content_type="application/zip")
    name = f"ho-so-khen-thuong-{bloc.pk}-{access.year}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
