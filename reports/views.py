"""Document pages: the list per bloc and year, the draft editor with its live preview, the
build button, the progress of a build (polled by htmx), downloads and retries.

Access is the policy's (`reports.rules`, which asks `blocs.rules`): members of a bloc read its
documents (404 for outsiders, even with the URL); the secretariat of the document's year
writes, previews, builds and retries (403 for the other members).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blocs.models import current_year
from blocs.rules import Access, get_bloc_or_404
from blocs.selectors import members_in
from portal.lib.csp import allow_styles_of
from portal.lib.files import private_download
from portal.lib.http import GET_POST, post_only, year_param

from . import forms as f
from . import services
from .models import Report, ReportDraft
from .rules import get_draft_or_404, get_report_or_404

# Reading -------------------------------------------------------------------


@require_GET
def report_list(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, access = get_bloc_or_404(request, pk, year=year_param(request))
    year = access.year
    drafts = list(
        ReportDraft.objects.filter(bloc=bloc, year=year)
        .select_related("meeting", "issuer")
        .prefetch_related("reports")
        .order_by("kind", "meeting__starts_at")
    )
    can_write = access.can_write
    open_form = f.DraftOpenForm(bloc=bloc, year=year) if can_write else None
    stored = ReportDraft.objects.filter(bloc=bloc).values_list("year", flat=True)
    years = sorted({current_year(), year, *stored}, reverse=True)
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
    if report.status != Report.Status.READY:
        raise Http404
    return private_download(getattr(report, field), f"{report.filename}.{suffix}", content_type)


@require_GET
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    report, _access = get_report_or_404(request, pk)
    return _file_response(report, "pdf", "pdf", "application/pdf")


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
    context = {
        "draft": draft,
        "bloc": draft.bloc,
        "year": draft.year,
        "form": form,
        "builds": draft.reports.order_by("-requested_at", "-pk")[:10],
        **_status_context(latest, access),
        "preview": _preview_html(draft),
    }
    # The preview frame inherits this page's Content-Security-Policy.
    return allow_styles_of(render(request, "reports/draft_edit.html", context), context["preview"])


def _preview_html(draft: ReportDraft) -> str:
    """The whole document as HTML; on a problem, a readable note instead of a 500."""
    from . import documents

    try:
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
