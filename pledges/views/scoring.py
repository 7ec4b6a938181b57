"""Scoring pages: self-scoring, verification, cross-scoring, evidence, bonus and penalty lines.

Access: every member of the bloc may open a pledge (`get_pledge_for_user`, 404 for
outsiders). A sheet is written by the official of its organization (of the scoring
member for cross sheets) and, for self sheets, by the secretariat through `?org=`;
reading follows `pledges.rules.can_read_sheet` (403 for another member's draft). The
verification grid and the bonus and penalty lines are written by the secretariat (403
for members). Nothing is written to a closed pledge: the pages say so and refuse posts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from blocs.models import Organization
from portal.lib.http import GET_POST

from .. import selectors, services
from ..forms import scoring as f
from ..models import Adjustment, Criterion, Evidence, Pledge, Score, ScoreSheet
from ._access import (
    CriterionRow,
    add_after_post,
    check_secretariat,
    closed_notice,
    confirm_page,
    criteria_rows,
    delete_after_confirm,
    error_text,
    get_pledge_for_user,
    is_secretariat,
    member_of,
    official_org,
)

ZERO = Decimal("0")


def write_notice(pledge: Pledge) -> str:
    """Why nothing can be written to the pledge's scores now, or "" if it can."""
    notice = closed_notice(pledge)
    if not notice and pledge.status != Pledge.Status.SCORING:
        notice = services.SCORING_NOT_OPEN % {"status": pledge.get_status_display()}
    return notice


@dataclass
class Row(CriterionRow):
    """A criterion of a sheet; leaves carry the form, score and evidence."""

    form: object = None
    score: Score | None = None
    evidence: list = field(default_factory=list)
    current: Score | None = None  # the score saved meanwhile by someone else
    own: Score | None = None  # cross-scoring: the member's own submitted self-score
    own_evidence: list = field(default_factory=list)

    @property
    def current_by(self) -> str:
        user = self.current.updated_by if self.current else None
        return (user.get_full_name() or user.get_username()) if user else "?"


# Sheet pages (self and cross) ----------------------------------------------------------


def _sheet_scores(sheet: ScoreSheet | None, with_evidence: bool) -> dict[int, Score]:
    if sheet is None:
        return {}
    scores = Score.objects.filter(sheet=sheet).select_related("updated_by")
    if with_evidence:
        scores = scores.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at"))
        )
    return {score.criterion_id: score for score in scores}


def _initial(score: Score | None) -> dict:
    if score is None:
        return {"version": 0}
    return {
        "points": score.points,
        "bonus": score.bonus,
        "explanation": score.explanation,
        "version": score.version,
    }


def _row_forms(rows, data=None, files=None, *, with_file: bool) -> None:
    for row in rows:
        if row.is_leaf:
            row.form = f.ScoreRowForm(
                data,
                files,
                prefix=f"c{row.criterion.pk}",
                criterion=row.criterion,
                with_file=with_file,
                initial=_initial(row.score),
            )


def _apply_grid_errors(request, rows, exc: ValidationError) -> None:
    """Errors of `sheet_save_grid` are keyed by criterion code: show each on its row."""
    by_code = {row.criterion.code: row for row in rows if row.is_leaf}
    if not hasattr(exc, "error_dict"):
        messages.error(request, error_text(exc))
        return
    for code, errors in exc.message_dict.items():
        row = by_code.get(code)
        if row is None:
            messages.error(request, " ".join(errors))
        else:
            row.form.add_error(None, errors)


def _stale_rows(rows, sheet: ScoreSheet | None, data) -> bool:
    """Rows whose score changed since the page was shown get the new version (the user's
    typed values stay) and show what is stored now. True if there were any."""
    if sheet is None:
        return False
    stored = _sheet_scores(sheet, with_evidence=False)
    stale = False
    for row in rows:
        if not row.is_leaf:
            continue
        score = stored.get(row.criterion.pk)
        posted = data.get(f"c{row.criterion.pk}-version", "")
        if score is not None and str(score.version) != posted:
            data[f"c{row.criterion.pk}-version"] = str(score.version)
            row.current = score
            stale = True
    return stale


@dataclass
class SheetPage:
    pledge: Pledge
    organization: Organization
    round: str
    scorer: Organization | None
    can_write: bool
    with_evidence: bool
    url: str
    as_secretariat: bool = False
    # Cross-scoring: beside each row, what the member gave itself and its evidence, once its
    # self-scoring sheet is submitted (members may read submitted sheets, never drafts).
    with_own_scores: bool = False


def _sheet_of(page: SheetPage) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(
            pledge=page.pledge,
            organization=page.organization,
            round=page.round,
            scorer=page.scorer,
        )
        .select_related("submitted_by")
        .first()
    )


def _attach_own_scores(page: SheetPage, rows: list[Row]) -> ScoreSheet | None:
    """The member's submitted self-scoring sheet beside a cross-scoring sheet (3 queries)."""
    own_sheet = ScoreSheet.objects.filter(
        pledge=page.pledge,
        organization=page.organization,
        round=ScoreSheet.Round.SELF,
        status=ScoreSheet.Status.SUBMITTED,
    ).first()
    own_scores = _sheet_scores(own_sheet, with_evidence=True)
    for row in rows:
        row.own = own_scores.get(row.criterion.pk)
        if row.own is not None:
            row.own_evidence = list(row.own.evidence.all())
    return own_sheet


def _sheet_view(request: HttpRequest, page: SheetPage) -> HttpResponse:
    pledge = page.pledge
    sheet = _sheet_of(page)
    rows = criteria_rows(list(pledge.criteria.all()), Row)
    scores = _sheet_scores(sheet, page.with_evidence)
    _attach_scores(rows, scores, page.with_evidence)
    own_sheet = _attach_own_scores(page, rows) if page.with_own_scores else None
    notice = write_notice(pledge)
    submitted = sheet is not None and sheet.is_submitted
    writable = page.can_write and not notice and not submitted
    if request.method == "POST":
        response = _sheet_post(request, page, sheet, rows, notice, writable)
        if response is not None:
            return response
    else:
        _row_forms(rows, with_file=page.with_evidence)
    context = {
        "page": page,
        "pledge": pledge,
        "organization": page.organization,
        "sheet": sheet,
        "own_sheet": own_sheet,
        "rows": rows,
        "notice": notice,
        "writable": writable,
        "total": _totals(scores.values()),
        "sub": "verify" if page.round == ScoreSheet.Round.CROSS else "self",
        "secretariat": is_secretariat(request, pledge),
    }
    return render(request, "pledges/score_sheet.html", context)


def _attach_scores(rows: list[Row], scores: dict[int, Score], with_evidence: bool) -> None:
    """Each row of the criteria tree gets its saved score (and evidence files)."""
    for row in rows:
        row.score = scores.get(row.criterion.pk)
        if row.score is not None and with_evidence:
            row.evidence = list(row.score.evidence.all())


def _sheet_post(
    request, page: SheetPage, sheet, rows, notice: str, writable: bool
) -> HttpResponse | None:
    """Submit the sheet, or save its rows; None to show the page again with the errors."""
    if not page.can_write:
        raise PermissionDenied
    if not writable:
        messages.error(request, notice or _("This sheet cannot be changed."))
        return redirect(page.url)
    action = request.POST.get("action", "save")
    if action == "confirm_submit" and sheet is not None:
        return _submit(request, page, sheet)
    data = request.POST.copy()
    _row_forms(rows, data, request.FILES, with_file=page.with_evidence)
    if all(row.form.is_valid() for row in rows if row.is_leaf):
        return _save_grid(request, page, sheet, rows, data, action)
    messages.error(request, _("Nothing was saved: correct the marked rows."))
    return None


def _totals(scores) -> dict:
    scores = list(scores)
    points = sum((s.points for s in scores), ZERO)
    bonus = sum((s.bonus for s in scores), ZERO)
    return {"points": points, "bonus": bonus, "all": points + bonus}


def _save_grid(request, page: SheetPage, sheet, rows, data, action) -> HttpResponse | None:
    """Save the rows (all or none), then the uploaded files; None to show the page again."""
    try:
        sheet = sheet or services.sheet_for(
            pledge=page.pledge,
            organization=page.organization,
            round=page.round,
            scorer=page.scorer,
        )
        grid = [row.form.row() for row in rows if row.is_leaf]
        services.sheet_save_grid(
            sheet=sheet, rows=[r for r in grid if r is not None], actor=request.user
        )
    except ValidationError as exc:
        if _stale_rows(rows, sheet, data):
            # The bound forms take the new versions; the typed values stay on screen.
            _row_forms(rows, data, None, with_file=page.with_evidence)
            for row in rows:
                if row.is_leaf:
                    row.form.is_valid()
        _apply_grid_errors(request, rows, exc)
        messages.error(request, _("Nothing was saved."))
        return None
    refused = _upload_files(request, page, sheet, rows)
    if refused:
        messages.warning(request, _("The scores are saved, but some files were refused."))
        for text in refused:
            messages.error(request, text)
        return redirect(page.url)
    if action == "submit":
        return redirect(page.url + _join(page.url) + "confirm=1")
    messages.success(request, _("The scores are saved as a draft."))
    return redirect(page.url)


def _join(url: str) -> str:
    return "&" if "?" in url else "?"


def _upload_files(request, page: SheetPage, sheet, rows) -> list[str]:
    if not page.with_evidence:
        return []
    refused = []
    uploads = [(row, row.form.cleaned_data.get("file")) for row in rows if row.is_leaf]
    uploads = [(row, upload) for row, upload in uploads if upload]
    if not uploads:
        return []
    scores = {s.criterion_id: s for s in Score.objects.filter(sheet=sheet)}
    for row, upload in uploads:
        code = row.criterion.code
        score = scores.get(row.criterion.pk)
        if score is None:
            refused.append(
                _("%(code)s: enter its points before attaching evidence (“%(name)s”).")
                % {"code": code, "name": upload.name}
            )
            continue
        try:
            services.evidence_add(
                score=score,
                uploaded=upload,
                actor=request.user,
                as_secretariat=page.as_secretariat,
            )
        except ValidationError as exc:
            refused.append(f"{code}: {error_text(exc)}")
    return refused


def _submit(request, page: SheetPage, sheet: ScoreSheet) -> HttpResponse:
    try:
        services.sheet_submit(sheet=sheet, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The sheet is submitted; it is now read-only."))
    return redirect(page.url)


def _confirm_submit(request, page: SheetPage) -> HttpResponse:
    sheet = _sheet_of(page)
    if sheet is None or sheet.is_submitted:
        return redirect(page.url)
    scores = Score.objects.filter(sheet=sheet)
    context = {
        "page": page,
        "pledge": page.pledge,
        "organization": page.organization,
        "sheet": sheet,
        "total": _totals(scores),
        "scored": scores.count(),
        "leaves": sum(1 for row in criteria_rows(list(page.pledge.criteria.all())) if row.is_leaf),
    }
    return render(request, "pledges/score_confirm.html", context)


@GET_POST
def self_score(request: HttpRequest, pk: int) -> HttpResponse:
    """My organization's self-scoring sheet; the secretariat opens any member's with ?org=."""
    pledge = get_pledge_for_user(request, pk)
    own = official_org(request, pledge)
    secretariat = is_secretariat(request, pledge)
    organization = _self_sheet_organization(request, pledge, own, secretariat)
    if organization is None:  # the secretariat, without ?org=: choose a member first
        context = {"pledge": pledge, "members": selectors.members_of(pledge)}
        return render(request, "pledges/score_choose.html", context)
    page = _self_sheet_page(pledge, organization, own, secretariat)
    if not page.can_write:
        sheet = _sheet_of(page)
        if sheet is None or not request.user.has_perm("pledges.read_sheet", sheet):
            raise PermissionDenied
    if request.method == "GET" and request.GET.get("confirm") and page.can_write:
        return _confirm_submit(request, page)
    return _sheet_view(request, page)


def _self_sheet_organization(request, pledge: Pledge, own, secretariat: bool):
    """The member in ?org=, else the user's own; None for the secretariat to choose one.
    403 for a user who is neither a member official nor the secretariat."""
    org_param = request.GET.get("org", "")
    if org_param:
        return member_of(pledge, org_param)
    if own is None and not secretariat:
        raise PermissionDenied
    return own


def _self_sheet_page(pledge: Pledge, organization, own, secretariat: bool) -> SheetPage:
    is_own = own is not None and own.pk == organization.pk
    url = reverse("pledges:self_score", args=[pledge.pk])
    if not is_own:
        url += f"?org={organization.pk}"
    return SheetPage(
        pledge=pledge,
        organization=organization,
        round=ScoreSheet.Round.SELF,
        scorer=None,
        can_write=is_own or secretariat,
        with_evidence=True,
        url=url,
        as_secretariat=secretariat and not is_own,
    )


@GET_POST
def self_score_return(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    """The secretariat sends a member's submitted self-scoring back to it, with a reason."""
    pledge = get_pledge_for_user(request, pk)
    check_secretariat(request, pledge)
    organization = member_of(pledge, org)
    page = _self_sheet_page(pledge, organization, None, secretariat=True)
    sheet = _sheet_of(page)
    if sheet is None:
        raise Http404
    if request.method == "GET" and not sheet.is_submitted:  # sent back meanwhile, or never sent
        messages.info(request, services.RETURN_NOT_SUBMITTED % {"organization": organization})
        return redirect(page.url)
    form = f.ReturnForm(request.POST or None)
    if request.method == "POST":
        done = _("The self-scoring of %(organization)s is back with it as a draft.")
        response = add_after_post(
            request,
            notice="",  # the service refuses a closed year with its own message
            forms=[form],
            save=lambda: services.sheet_return(
                sheet=sheet, actor=request.user, **form.cleaned_data
            ),
            done=done % {"organization": organization},
            back=page.url,
        )
        if response is not None:
            return response
    return _return_confirm(request, page, form)


def _return_confirm(request: HttpRequest, page: SheetPage, form) -> HttpResponse:
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
    )


@GET_POST
def cross_score(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    """My organization's cross-scoring sheet of member `org` (cross-scoring years only)."""
    pledge = get_pledge_for_user(request, pk)
    if not pledge.is_cross_scored:
        raise Http404
    organization = member_of(pledge, org)
    scorer = official_org(request, pledge)
    if scorer is None or scorer.pk == organization.pk:
        raise PermissionDenied
    page = SheetPage(
        pledge=pledge,
        organization=organization,
        round=ScoreSheet.Round.CROSS,
        scorer=scorer,
        can_write=True,
        with_evidence=False,
        url=reverse("pledges:cross_score", args=[pledge.pk, organization.pk]),
        with_own_scores=True,
    )
    if request.method == "GET" and request.GET.get("confirm"):
        return _confirm_submit(request, page)
    return _sheet_view(request, page)


# Evidence ------------------------------------------------------------------------------


def _get_evidence_for_user(request: HttpRequest, pk: int) -> Evidence:
    visible = Pledge.objects.visible_to(request.user)
    found = Evidence.objects.filter(score__sheet__pledge__in=visible).select_related(
        "score__sheet__pledge__bloc", "score__criterion", "score__sheet__organization"
    )
    return get_object_or_404(found, pk=pk)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = _get_evidence_for_user(request, pk)
    if not request.user.has_perm("pledges.read_sheet", evidence.score.sheet):
        raise PermissionDenied
    return evidence.download()


@GET_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_evidence_for_user(request, pk)
    sheet = evidence.score.sheet
    pledge = sheet.pledge
    own = official_org(request, pledge)
    is_own = own is not None and own.pk == sheet.organization_id
    secretariat = is_secretariat(request, pledge)
    if sheet.round != ScoreSheet.Round.SELF or not (is_own or secretariat):
        raise PermissionDenied
    url = reverse("pledges:self_score", args=[pledge.pk])
    if not is_own:
        url += f"?org={sheet.organization_id}"
    text = _("Delete the evidence “%(name)s” of %(code)s? The file is removed for good.") % {
        "name": evidence.original_name,
        "code": evidence.score.criterion.code,
    }
    return delete_after_confirm(
        request,
        pledge,
        delete=lambda: services.evidence_delete(
            evidence=evidence, actor=request.user, as_secretariat=secretariat and not is_own
        ),
        done=_("The evidence file has been deleted."),
        title=_("Delete evidence"),
        text=text,
        back=url,
        active="scoring",
    )


# Verification --------------------------------------------------------------------------


class Value(NamedTuple):
    points: Decimal
    bonus: Decimal
    version: int


@dataclass(slots=True)
class Cell:
    criterion: Criterion
    self_score: Value | None = None
    verified: Value | None = None
    points: object = ""
    bonus: object = ""
    version: int = 0
    errors: list | None = None


@dataclass
class MemberRow:
    organization: Organization
    self_sheet: ScoreSheet | None = None
    cells: list[Cell] = field(default_factory=list)
    self_total: Decimal = ZERO
    verified_total: Decimal = ZERO
    reason: str = ""
    errors: list = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return self.self_sheet is not None and self.self_sheet.is_submitted


def _verify_rows(pledge: Pledge, members, leaves) -> list[MemberRow]:
    """The grid in 2 queries (sheets, scores) whatever the number of members and criteria."""
    sheets, scores = _verify_values(pledge)
    plan = [(leaf, leaf.pk, bool(leaf.bonus_cap)) for leaf in leaves]
    return [_member_row(org, sheets, scores, plan) for org in members]


def _verify_values(pledge: Pledge) -> tuple[dict, dict]:
    """The self and verified sheets by (member, round); their scores by (sheet, criterion)."""
    rounds = [ScoreSheet.Round.SELF, ScoreSheet.Round.VERIFIED]
    sheets = {
        (s.organization_id, s.round): s
        for s in ScoreSheet.objects.filter(pledge=pledge, round__in=rounds)
    }
    # Plain tuples, not model instances: thousands of cells.
    values = Score.objects.filter(sheet__pledge=pledge, sheet__round__in=rounds).values_list(
        "sheet_id", "criterion_id", "points", "bonus", "version"
    )
    scores = {
        (sheet_id, criterion_id): Value(points, bonus, version)
        for sheet_id, criterion_id, points, bonus, version in values
    }
    return sheets, scores


def _member_row(org: Organization, sheets: dict, scores: dict, plan: list) -> MemberRow:
    """A member's cells: the verified value where there is one, else its submitted own."""
    own = sheets.get((org.pk, ScoreSheet.Round.SELF))
    verified = sheets.get((org.pk, ScoreSheet.Round.VERIFIED))
    own_id = own.pk if own is not None and own.is_submitted else None
    verified_id = verified.pk if verified is not None else None
    row = MemberRow(org, own)
    cells = row.cells
    self_sum, verified_sum = [], []
    for leaf, leaf_id, has_bonus in plan:
        mine = scores.get((own_id, leaf_id)) if own_id else None
        checked = scores.get((verified_id, leaf_id)) if verified_id else None
        shown = checked or mine
        if shown is None:
            cells.append(Cell(leaf, mine, checked))
            continue
        version = checked.version if checked else 0
        bonus = shown.bonus if has_bonus else ""
        cells.append(Cell(leaf, mine, checked, shown.points, bonus, version))
        if mine is not None:
            self_sum += (mine.points, mine.bonus)
        verified_sum += (shown.points, shown.bonus)
    row.self_total = sum(self_sum, ZERO)
    row.verified_total = sum(verified_sum, ZERO)
    return row


def _verify_post(request, pledge, members, leaves, rows) -> HttpResponse | None:
    """Save one member's verified scores; None shows the grid again with that member's
    typed values and errors."""
    organization = member_of(pledge, request.POST.get("member", ""), members)
    row = next(r for r in rows if r.organization.pk == organization.pk)
    row.cells_html = ""
    forms = [
        f.VerifyCellForm(request.POST, prefix=f"c{leaf.pk}", criterion=leaf) for leaf in leaves
    ]
    reason_form = f.ReasonForm(request.POST)
    valid = all(form.is_valid() for form in forms) and reason_form.is_valid()
    row.reason = request.POST.get("reason", "")
    if valid and not row.submitted:
        row.errors.append(_("This member has not submitted its self-scores yet."))
    elif valid:
        reason = reason_form.cleaned_data.get("reason", "")
        if _save_verified(request, pledge, row, forms, reason):
            return redirect(reverse("pledges:verify", args=[pledge.pk]) + f"#m{organization.pk}")
    _show_typed(row, forms)
    if not row.errors and not valid:
        row.errors.append(_("Correct the marked cells."))
    messages.error(
        request, _("Nothing was saved for %(organization)s.") % {"organization": organization}
    )
    return None


def _save_verified(request, pledge: Pledge, row: MemberRow, forms, reason: str) -> bool:
    """The member's verified sheet, all cells or none; the service's refusal goes on the row."""
    organization = row.organization
    try:
        sheet = services.sheet_for(
            pledge=pledge, organization=organization, round=ScoreSheet.Round.VERIFIED
        )
        grid = [form.row() for form in forms]
        services.sheet_save_grid(
            sheet=sheet,
            rows=[r for r in grid if r is not None],
            reason=reason,
            actor=request.user,
        )
    except ValidationError as exc:
        row.errors.extend(exc.messages)
        return False
    messages.success(
        request,
        _("The verified scores of %(organization)s are saved.") % {"organization": organization},
    )
    return True


def _show_typed(row: MemberRow, forms) -> None:
    """The cells show what was typed, with their errors, instead of what is stored."""
    for cell, form in zip(row.cells, forms, strict=True):
        cell.points = form.data.get(form.add_prefix("points"), "")
        cell.bonus = form.data.get(form.add_prefix("bonus"), "")
        cell.version = form.data.get(form.add_prefix("version"), cell.version)
        cell.errors = [e for errors in form.errors.values() for e in errors] or None


@GET_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Self-verified years: the secretariat's grid members × criteria, saved per member.
    Cross-scored years: the secretariat's matrix of cross sheets, and each member's links
    to score the others."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    if pledge.is_cross_scored:
        return _cross_matrix(request, pledge, secretariat)
    if not secretariat:
        raise PermissionDenied
    members = selectors.members_of(pledge)
    leaves = [row.criterion for row in criteria_rows(list(pledge.criteria.all())) if row.is_leaf]
    rows = _verify_rows(pledge, members, leaves)
    notice = write_notice(pledge)
    if request.method == "POST":
        if notice:
            messages.error(request, notice)
            return redirect("pledges:verify", pledge.pk)
        response = _verify_post(request, pledge, members, leaves, rows)
        if response is not None:
            return response
    _prepare_grid(pledge, leaves, rows, notice)
    context = {
        "pledge": pledge,
        "leaves": leaves,
        "rows": rows,
        "notice": notice,
        "any_editable": any(row.editable for row in rows),
    }
    return render(request, "pledges/verify.html", context)


def _prepare_grid(pledge: Pledge, leaves, rows: list[MemberRow], notice: str) -> None:
    """Labels, links and the cells' HTML of each member row, built once here."""
    for leaf in leaves:
        leaf.escaped_code = escape(leaf.code)
    sheet_url = reverse("pledges:self_score", args=[pledge.pk])
    for row in rows:
        row.editable = row.submitted and not notice
        row.label = row.organization.short_name or row.organization.name
        row.link = f"{sheet_url}?org={row.organization.pk}"
        row.cells_html = _cells_html(row, editable=row.editable)


def _num(value, separator: str) -> str:
    """A compact number for the grid (12,5; 15): thousands of cells, no template filter."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", separator)


def _cells_html(row: MemberRow, *, editable: bool) -> str:
    """The row's cells as HTML built here: a template loop over members × criteria
    (2,400 cells for 60 × 40) costs ten times more than these f-strings."""
    sep = get_format("DECIMAL_SEPARATOR")
    form = f"v{row.organization.pk}"
    who = escape(row.organization.short_name or row.organization.name)
    posted = bool(row.errors)
    parts = []
    for cell in row.cells:
        leaf = cell.criterion
        pk = leaf.pk
        code = leaf.escaped_code
        inner = []
        if editable:
            points = escape(cell.points) if posted else _num(cell.points, sep)
            version = escape(cell.version) if posted else cell.version
            inner.append(
                f'<input type="hidden" form="{form}" name="c{pk}-version" value="{version}">'
                f'<input form="{form}" name="c{pk}-points" value="{points}" inputmode="decimal" '
                f'class="form-control form-control-sm verify-input" aria-label="{who} {code}">'
            )
            if leaf.bonus_cap:
                bonus = escape(cell.bonus) if posted else _num(cell.bonus, sep)
                inner.append(
                    f'<input form="{form}" name="c{pk}-bonus" value="{bonus}" inputmode="decimal" '
                    f'class="form-control form-control-sm verify-input mt-1" placeholder="+" '
                    f'aria-label="+ {who} {code}">'
                )
        elif cell.verified is not None:
            inner.append(f'<span class="fw-semibold">{_num(cell.verified.points, sep)}</span>')
        mine = cell.self_score
        if mine is not None:
            bonus = f"+{_num(mine.bonus, sep)}" if mine.bonus else ""
            inner.append(f'<span class="self-value">{_num(mine.points, sep)}{bonus}</span>')
        for error in cell.errors or ():
            inner.append(f'<div class="small text-danger">{escape(error)}</div>')
        css = ' class="cell-error"' if cell.errors else ""
        parts.append(f"<td{css}>{''.join(inner)}</td>")
    return mark_safe("".join(parts))  # noqa: S308 -- every value above is escaped


def _cross_matrix(request, pledge: Pledge, secretariat: bool) -> HttpResponse:
    members = selectors.members_of(pledge)
    scorer = official_org(request, pledge)
    if not secretariat and scorer is None:
        raise PermissionDenied
    if request.method == "POST":
        return redirect("pledges:verify", pledge.pk)
    sheets = ScoreSheet.objects.filter(pledge=pledge, round=ScoreSheet.Round.CROSS)
    if not secretariat:
        sheets = sheets.filter(scorer=scorer)
    by_pair = {(s.organization_id, s.scorer_id): s for s in sheets}
    context = {
        "pledge": pledge,
        "members": members,
        "matrix": _cross_grid(pledge, members, by_pair) if secretariat else None,
        "mine": _sheets_to_score(members, by_pair, scorer),
        "scorer": scorer,
        "notice": write_notice(pledge),
    }
    return render(request, "pledges/verify_cross.html", context)


def _cross_grid(pledge: Pledge, members, by_pair: dict) -> list[dict]:
    """The secretariat's matrix: a row per scored member, a cell per scorer with the
    sheet and its total."""
    totals: dict[int, Decimal] = {}
    for score in Score.objects.filter(
        sheet__pledge=pledge, sheet__round=ScoreSheet.Round.CROSS
    ).only("sheet_id", "points", "bonus"):
        totals[score.sheet_id] = totals.get(score.sheet_id, ZERO) + score.points + score.bonus
    matrix = []
    for org in members:
        cells = []
        for other in members:
            sheet = by_pair.get((org.pk, other.pk))
            total = totals.get(sheet.pk) if sheet is not None else None
            cells.append({"scorer": other, "sheet": sheet, "self": other == org, "total": total})
        matrix.append({"organization": org, "cells": cells})
    return matrix


def _sheets_to_score(members, by_pair: dict, scorer) -> list[dict]:
    """The scorer's own sheet of each other member (none for the secretariat alone)."""
    if scorer is None:
        return []
    return [
        {"organization": org, "sheet": by_pair.get((org.pk, scorer.pk))}
        for org in members
        if org.pk != scorer.pk
    ]


# Bonus and penalty lines ---------------------------------------------------------------


@GET_POST
def adjustments(request: HttpRequest, pk: int) -> HttpResponse:
    """Members read the lines; the secretariat adds and (after confirming) deletes them."""
    pledge = get_pledge_for_user(request, pk)
    secretariat = is_secretariat(request, pledge)
    members = selectors.members_of(pledge)
    notice = closed_notice(pledge)
    url = reverse("pledges:adjustments", args=[pledge.pk])
    lines = Adjustment.objects.filter(pledge=pledge).select_related("organization", "created_by")
    form = f.AdjustmentForm(request.POST or None, members=members)
    delete = request.GET.get("delete") or request.POST.get("delete")
    if (request.method == "POST" or delete) and not secretariat:
        raise PermissionDenied
    if delete:
        return _delete_adjustment(request, pledge, _line_to_delete(lines, delete), notice, url)
    if request.method == "POST":
        response = add_after_post(
            request,
            notice=notice,
            forms=[form],
            save=lambda: services.adjustment_add(
                pledge=pledge, actor=request.user, **form.cleaned_data
            ),
            done=_("The line has been added."),
            back=url,
        )
        if response is not None:
            return response
    context = {
        "pledge": pledge,
        "lines": list(lines),
        "form": form,
        "can_write": secretariat and not notice,
        "secretariat": secretariat,
        "notice": notice,
        "totals": _adjustment_totals(lines, members),
    }
    return render(request, "pledges/adjustments.html", context)


def _line_to_delete(lines, value: str) -> Adjustment:
    """The line in ?delete= (or the posted `delete`); 404 for anything else."""
    if not str(value).isdigit():
        raise Http404
    return get_object_or_404(lines, pk=value)


def _adjustment_totals(lines, members) -> list[dict]:
    totals = {org.pk: {"organization": org, "bonus": ZERO, "penalty": ZERO} for org in members}
    for line in lines:
        entry = totals.setdefault(
            line.organization_id,
            {"organization": line.organization, "bonus": ZERO, "penalty": ZERO},
        )
        entry[line.kind] += line.points
    return [t for t in totals.values() if t["bonus"] or t["penalty"]]


def _delete_adjustment(request, pledge, line: Adjustment, notice: str, url: str):
    if request.method == "POST" and notice:
        messages.error(request, notice)
        return redirect(url)
    sign = "+" if line.kind == Adjustment.Kind.BONUS else "−"
    text = _("Delete the line “%(line)s” of %(organization)s?") % {
        "line": f"{sign}{floatformat(line.points, '-2')}: {line.reason}",
        "organization": line.organization,
    }
    return delete_after_confirm(
        request,
        pledge,
        delete=lambda: services.adjustment_delete(adjustment=line, actor=request.user),
        done=_("The line has been deleted."),
        title=_("Delete line"),
        text=text,
        back=url,
        active="scoring",
        hidden={"delete": line.pk},
    )
