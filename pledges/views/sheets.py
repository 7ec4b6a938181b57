"""Score-sheet pages: a member's self-scoring (with its evidence), sending it back, and
cross-scoring another member.

Access is the policy's (`pledges.rules`): every member of the bloc opens a pledge (404 for
outsiders); a self sheet is written by its organization's officials and, through `?org=`,
by the secretariat; a cross sheet by the scoring member's officials; reading another
member's sheet follows `pledges.read_sheet` (403 for a draft). Nothing is written to a
closed pledge or outside scoring: the pages say so and refuse posts. The services check
the same rules again for the actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from portal.lib.http import GET_POST
from portal.lib.people import person_name

from .. import rules, selectors, services
from ..forms import scoring as f
from ..models import Pledge, Score, ScoreSheet
from ..selectors import scoring_deadline
from ..selectors.criteria import CriterionRow, criteria_rows
from ..selectors.sheets import (
    SheetData,
    SheetPage,
    cross_sheet_page,
    secretariat_sheet_page,
    self_sheet_page,
    sheet_controls,
    sheet_data,
    sheet_of,
    sheet_scores,
    totals,
)
from ._access import add_after_post, closed_notice, confirm_page, member_of


def write_notice(pledge: Pledge) -> str:
    """Why nothing can be written to the pledge's scores now, or "" if it can."""
    notice = closed_notice(pledge)
    if not notice and pledge.status != Pledge.Status.SCORING:
        notice = services.SCORING_NOT_OPEN % {"status": pledge.get_status_display()}
    return notice


@dataclass
class Row(CriterionRow):
    """A criterion of a sheet; leaves carry the form, score and evidence (built once per
    request, by `replace`)."""

    form: object = None
    score: Score | None = None
    evidence: list = field(default_factory=list)
    current: Score | None = None  # the score saved meanwhile by someone else
    own: Score | None = None  # cross-scoring: the member's own submitted self-score
    own_evidence: list = field(default_factory=list)

    @property
    def cell(self) -> f.ScoreCell:
        """What the row's inputs show: the posted form's (typed values, errors), else the
        score as stored."""
        if self.form is not None:
            return self.form.cell  # type: ignore[attr-defined]
        return f.ScoreCell.saved(self.criterion, self.score)


# Pages ------------------------------------------------------------------------------------


@GET_POST
def self_score(request: HttpRequest, pk: int) -> HttpResponse:
    """My organization's self-scoring sheet; the secretariat opens any member's with ?org=."""
    pledge, found = rules.get_pledge_or_404(request, pk)
    org_param = request.GET.get("org", "")
    if not org_param and not found.may_self_score():
        raise PermissionDenied
    organization = member_of(pledge, org_param) if org_param else found.org
    if organization is None:  # the secretariat, without ?org=: choose a member first
        context = {"pledge": pledge, "access": found, "members": selectors.members_of(pledge)}
        return render(request, "pledges/score_choose.html", context)
    page = self_sheet_page(pledge, found, organization)
    if not page.can_write and not found.may_read_sheet(sheet_of(page)):
        raise PermissionDenied
    if request.method == "GET" and request.GET.get("confirm") and page.can_write:
        return _confirm_submit(request, page)
    return _sheet_view(request, page, found)


@GET_POST
def cross_score(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    """My organization's cross-scoring sheet of member `org` (cross-scoring years only)."""
    pledge, found = rules.get_pledge_or_404(request, pk)
    if not pledge.is_cross_scored:
        raise Http404
    organization = member_of(pledge, org)
    if not found.may_cross_score(organization):
        raise PermissionDenied
    page = cross_sheet_page(pledge, found, organization)
    if request.method == "GET" and request.GET.get("confirm"):
        return _confirm_submit(request, page)
    return _sheet_view(request, page, found)


@GET_POST
def self_score_return(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    """The secretariat sends a member's submitted self-scoring back to it, with a reason."""
    pledge, found = rules.get_pledge_or_404(request, pk, need="manage")
    page = secretariat_sheet_page(pledge, member_of(pledge, org))
    sheet = sheet_of(page)
    if sheet is None:
        raise Http404
    names = {"organization": page.organization}
    if request.method == "GET" and not sheet.is_submitted:  # sent back meanwhile, or never sent
        messages.info(request, services.RETURN_NOT_SUBMITTED % names)
        return redirect(page.url)
    form = f.ReturnForm(request.POST or None)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice="",  # the service refuses a closed year with its own message
            forms=[form],
            save=lambda: services.sheet_return(
                sheet=sheet, actor=request.user, **form.cleaned_data
            ),
            done=_("The self-scoring of %(organization)s is back with it as a draft.") % names,
            back=page.url,
        )
        if response is not None:
            return response
    return _return_confirm(request, page, form, found)


# The sheet and its post -------------------------------------------------------------------


def _sheet_view(request: HttpRequest, page: SheetPage, found) -> HttpResponse:
    data = sheet_data(page)
    notice = write_notice(page.pledge)
    controls = sheet_controls(page, data, notice)
    rows = _rows(data, page.with_evidence)
    if request.method == "POST":
        response, rows = _sheet_post(request, page, data, rows, notice, controls.writable)
        if response is not None:
            return response
    context = {
        "page": page,
        "pledge": page.pledge,
        "organization": page.organization,
        "sheet": data.sheet,
        "own_sheet": data.own_sheet,
        "rows": rows,
        "notice": notice,
        "writable": controls.writable,
        "controls": controls,
        "total": data.total,
        "sub": page.sub,
        "secretariat": found.secretariat,
        "access": found,
        # Posted rows back with errors: their messages listed at the top, linked to the cells.
        "forms": [row.form for row in rows if row.form is not None and row.form.is_bound],
        "deadline": scoring_deadline(page.pledge) if page.round == "self" else None,
    }
    return render(request, "pledges/score_sheet.html", context)


def _rows(data: SheetData, with_evidence: bool) -> list[Row]:
    """The criteria tree as rows, each leaf with its saved score (and evidence files), and
    beside a cross sheet the member's own submitted score."""
    rows = []
    for row in criteria_rows(data.criteria, Row):
        score = data.scores.get(row.criterion.pk)
        own = data.own_scores.get(row.criterion.pk)
        rows.append(
            replace(
                row,
                score=score,
                evidence=list(score.evidence.all()) if score and with_evidence else [],
                own=own,
                own_evidence=list(own.evidence.all()) if own else [],
            )
        )
    return rows


def _with_forms(rows: list[Row], data=None, files=None, *, with_file: bool) -> list[Row]:
    form = f.ScoreRowForm.for_score
    return [
        replace(row, form=form(row.criterion, row.score, data, files, with_file))
        if row.is_leaf
        else row
        for row in rows
    ]


def _sheet_post(request, page: SheetPage, data: SheetData, rows, notice: str, writable: bool):
    """Submit the sheet, or save its rows: (a redirect, rows), or (None, the rows with
    their errors) to show the page again."""
    if not page.can_write:
        raise PermissionDenied
    if not writable:
        messages.error(request, notice or _("This sheet cannot be changed."))
        return redirect(page.url), rows
    action = request.POST.get("action", "save")
    if action == "confirm_submit" and data.sheet is not None:
        return _submit(request, page, data.sheet), rows
    posted = request.POST.copy()
    rows = _with_forms(rows, posted, request.FILES, with_file=page.with_evidence)
    if not all(row.form.is_valid() for row in rows if row.is_leaf):
        return None, rows  # the page lists the errors at its top (error_summary)
    try:
        saved = _save(request, page, rows)
    except ValidationError as exc:
        return None, _refused_rows(request, page, data, rows, posted, exc)
    return _saved(request, page, saved, action), rows


def _save(request, page: SheetPage, rows) -> services.SheetSaved:
    leaves = [row for row in rows if row.is_leaf]
    files = []
    if page.with_evidence:
        files = [(r.criterion, r.form.cleaned_data["file"]) for r in leaves]
        files = [(criterion, upload) for criterion, upload in files if upload]
    return services.sheet_save_with_evidence(
        pledge=page.pledge,
        organization=page.organization,
        round=page.round,
        scorer=page.scorer,
        rows=[row for r in leaves if (row := r.form.row()) is not None],
        files=files,
        actor=request.user,
    )


def _saved(request, page: SheetPage, saved: services.SheetSaved, action: str) -> HttpResponse:
    if saved.refused:
        messages.warning(request, _("The scores are saved, but some files were refused."))
        for text in saved.refused:
            messages.error(request, text)
        return redirect(page.url)
    if action == "submit":
        return redirect(page.confirm_url)
    messages.success(request, _("The scores are saved as a draft."))
    return redirect(page.url)


def _refused_rows(request, page: SheetPage, data: SheetData, rows, posted, exc) -> list[Row]:
    """Nothing was saved: the service's errors go on their rows (keyed by criterion code).
    Rows whose score changed since the page was shown take the new version (the typed
    values stay) and show what is stored now."""
    stored = sheet_scores(data.sheet, with_evidence=False)
    stale = {}
    for row in rows:
        score = stored.get(row.criterion.pk) if row.is_leaf else None
        key = f"c{row.criterion.pk}-version"
        if score is not None and str(score.version) != posted.get(key, ""):
            posted[key] = str(score.version)
            stale[row.criterion.pk] = score
    if stale:
        rows = [replace(row, current=stale.get(row.criterion.pk)) for row in rows]
        rows = _with_forms(rows, posted, request.FILES, with_file=page.with_evidence)
        for row in rows:
            if row.is_leaf:
                row.form.is_valid()
    by_code = {row.criterion.code: row for row in rows if row.is_leaf}
    for code, errors in _errors_by_code(exc):
        row = by_code.get(code) if code else None
        if row is None:
            messages.error(request, " ".join(ValidationError(errors).messages))
            continue
        if row.current is not None:
            # One message for a lost race: the row keeps the typed values and now carries the
            # stored version, so saving again replaces the other save (the service's own
            # "reload and try again" would contradict that).
            errors = [e for e in errors if e.code != "changed_meanwhile"]
            row.form.add_error(None, STALE_ROW % stale_params(row.current))
        if errors:
            row.form.add_error(None, errors)
    return rows


def _errors_by_code(exc: ValidationError) -> list[tuple[str | None, list[ValidationError]]]:
    if not hasattr(exc, "error_dict"):
        return [(None, exc.error_list)]
    return list(exc.error_dict.items())


STALE_ROW = _lazy(
    "Someone else changed this score meanwhile: %(points)s saved by %(who)s. Your values are "
    "kept here and nothing was saved; save again to replace theirs."
)


def stale_params(score: Score) -> dict[str, str]:
    user = score.updated_by
    return {"points": floatformat(score.points, "-2"), "who": person_name(user) if user else "?"}


def _submit(request, page: SheetPage, sheet: ScoreSheet) -> HttpResponse:
    try:
        services.sheet_submit(sheet=sheet, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The sheet is submitted; it is now read-only."))
    return redirect(page.url)


def _confirm_submit(request, page: SheetPage) -> HttpResponse:
    sheet = sheet_of(page)
    if sheet is None or sheet.is_submitted:
        return redirect(page.url)
    scores = Score.objects.filter(sheet=sheet)
    context = {
        "page": page,
        "pledge": page.pledge,
        "organization": page.organization,
        "sheet": sheet,
        "total": totals(scores),
        "scored": scores.count(),
        "leaves": sum(1 for row in criteria_rows(list(page.pledge.criteria.all())) if row.is_leaf),
    }
    return render(request, "pledges/score_confirm.html", context)


def _return_confirm(request: HttpRequest, page: SheetPage, form, access) -> HttpResponse:
    names = {"organization": page.organization}
    text = _(
        "%(organization)s will be able to change its scores and evidence and must submit again. "
        "What it already entered is kept."
    )
    return confirm_page(
        request,
        page.pledge,
        title=_("Send the self-scoring back to %(organization)s") % names,
        text=text % names,
        submit=_("Send back"),
        back=page.url,
        active="scoring",
        form=form,
        access=access,
    )
