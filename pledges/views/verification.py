"""Verification: in self-verified years the secretariat's grid members × criteria, saved
one member at a time; in cross-scored years the overview of the cross sheets (the
secretariat's matrix of them all, each member's links to score the others).

Access is the policy's (`pledges.rules`): the grid is the secretariat's (403 for members);
the cross overview is for the secretariat and the member officials.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from portal.lib.http import GET_POST, report_count
from portal.lib.people import person_name

from .. import rules, selectors, services
from ..forms import scoring as f
from ..models import Score, ScoreSheet
from ..selectors.criteria import criteria_rows
from ..selectors.sheets import VerifyGrid, cross_overview, replace_row, verify_grid, with_typed
from ._access import confirm_page, member_of
from .sheets import write_notice


@GET_POST
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Self-verified years: the secretariat's grid members × criteria, saved per member.
    Cross-scored years: the secretariat's matrix of cross sheets, and each member's links
    to score the others."""
    pledge, found = rules.get_pledge_or_404(request, pk)
    if pledge.is_cross_scored:
        return _cross_overview(request, pledge, found)
    if not found.secretariat:
        raise PermissionDenied
    members = selectors.members_of(pledge)
    leaves = [row.criterion for row in criteria_rows(list(pledge.criteria.all())) if row.is_leaf]
    grid = verify_grid(pledge, members, leaves, notice=write_notice(pledge))
    if request.method == "POST":
        if grid.notice:
            messages.error(request, grid.notice)
            return redirect("pledges:verify", pledge.pk)
        response, grid = _verify_post(request, pledge, grid, members)
        if response is not None:
            return response
    context = {
        "pledge": pledge,
        "access": found,
        "leaves": grid.leaves,
        "rows": grid.rows,
        "notice": grid.notice,
        "any_editable": grid.any_editable,
    }
    return render(request, "pledges/verify.html", context)


def _verify_post(request, pledge, grid: VerifyGrid, members):
    """Save one member's verified scores: (a redirect, grid), or (None, the grid with that
    member's typed values and errors)."""
    organization = member_of(pledge, request.POST.get("member", ""), members)
    row = grid.row_of(organization)
    forms = [f.VerifyCellForm(request.POST, prefix=f"c{c.pk}", criterion=c) for c in grid.leaves]
    reason_form = f.ReasonForm(request.POST)
    valid = all(form.is_valid() for form in forms) and reason_form.is_valid()
    errors: list[str] = []
    by_code: dict[str, list[str]] = {}
    versions: dict[str, str] = {}
    if valid and not row.submitted:
        errors.append(_("This member has not submitted its self-scores yet."))
    elif valid:
        try:
            services.sheet_save_with_evidence(
                pledge=pledge,
                organization=organization,
                round=ScoreSheet.Round.VERIFIED,
                rows=[r for form in forms if (r := form.row()) is not None],
                reason=reason_form.cleaned_data.get("reason", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            errors, by_code, versions = _refusal(pledge, organization, exc)
        else:
            done = _("The verified scores of %(organization)s are saved.")
            messages.success(request, done % {"organization": organization})
            url = reverse("pledges:verify", args=[pledge.pk]) + f"#m{organization.pk}"
            return redirect(url), grid
    typed = with_typed(
        row,
        forms,
        reason=request.POST.get("reason", ""),
        errors=errors,
        cell_errors=by_code,
        versions=versions,
    )
    # One message at the top; the cells (or the row) say what to do, and the page scrolls to
    # the first of them.
    codes = [cell.code for cell in typed.cells if cell.errors]
    params = {"organization": organization, "cells": ", ".join(codes)}
    if codes:
        text = _("Nothing was saved for %(organization)s: see the marked cells (%(cells)s).")
    else:
        text = _("Nothing was saved for %(organization)s.")
    messages.error(request, text % params)
    return None, replace_row(grid, typed)


STALE_CELL = _lazy(
    "Changed meanwhile: now %(points)s by %(who)s. Your value is kept; save again to replace it."
)


def _refusal(pledge, organization, exc: ValidationError):
    """The service's refusal as (the row's errors, the cells' errors by criterion code, the
    stored versions of the cells another save changed meanwhile: saving again replaces it)."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages), {}, {}
    stale = [
        code
        for code, errors in exc.error_dict.items()
        if any(e.code == "changed_meanwhile" for e in errors)
    ]
    current = {
        score.criterion.code: score
        for score in Score.objects.filter(
            sheet__pledge=pledge,
            sheet__organization=organization,
            sheet__round=ScoreSheet.Round.VERIFIED,
            criterion__code__in=stale,
        ).select_related("criterion", "updated_by")
    }
    by_code: dict[str, list[str]] = {}
    versions: dict[str, str] = {}
    for code, errors in exc.error_dict.items():
        messages_ = [str(m) for e in errors if e.code != "changed_meanwhile" for m in e.messages]
        if code in current:
            score = current[code]
            versions[code] = str(score.version)
            who = person_name(score.updated_by) if score.updated_by else "?"
            points = floatformat(score.points, "-2")
            messages_.insert(0, STALE_CELL % {"points": points, "who": who})
        by_code[code] = messages_
    return [], by_code, versions


def _cross_overview(request, pledge, found) -> HttpResponse:
    if not found.may_open_cross_scoring():
        raise PermissionDenied
    if request.method == "POST":
        return redirect("pledges:verify", pledge.pk)
    overview = cross_overview(pledge, selectors.members_of(pledge), found)
    context = {
        "pledge": pledge,
        "access": found,
        "members": overview.members,
        "matrix": overview.matrix,
        "mine": overview.mine,
        "scorer": overview.scorer,
        "notice": write_notice(pledge),
    }
    return render(request, "pledges/verify_cross.html", context)


@GET_POST
def verify_all(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat accepts every submitted self-scoring not yet verified, as it is: a
    confirmation page says how many and which, the POST does it in one transaction."""
    pledge, found = rules.get_pledge_or_404(request, pk, need="manage")
    back = reverse("pledges:verify", args=[pledge.pk])
    members = services.verifiable_members(pledge)
    if request.method == "POST":
        report_count(
            request,
            lambda: services.sheets_verify_all(pledge=pledge, actor=request.user),
            lambda count: (
                ngettext(
                    "The self-scores of %(count)d member are accepted as verified.",
                    "The self-scores of %(count)d members are accepted as verified.",
                    count,
                )
                % {"count": count}
            ),
        )
        return redirect(back)
    text = ngettext(
        "%(count)d member has submitted self-scores that are not verified yet: %(names)s. "
        "Their verification is submitted as they scored themselves (a criterion you already "
        "re-scored keeps your score). This cannot be undone here.",
        "%(count)d members have submitted self-scores that are not verified yet: %(names)s. "
        "Their verification is submitted as they scored themselves (a criterion you already "
        "re-scored keeps your score). This cannot be undone here.",
        len(members),
    ) % {"count": len(members), "names": ", ".join(str(m) for m in members) or "—"}
    return confirm_page(
        request,
        pledge,
        title=_("Accept all submitted self-scores as verified"),
        text=text,
        submit=_("Accept as verified"),
        back=back,
        active="scoring",
        access=found,
    )


@GET_POST
def reminders(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat reminds several members at once of a step they have not done (sign,
    register, submit the self-scoring): the members who have not are listed, all ticked."""
    pledge, found = rules.get_pledge_or_404(request, pk, need="manage")
    steps = [s for s in services.REMINDER_STEPS if services.reminder_fits(pledge, s)]
    step = request.POST.get("step") or request.GET.get("step") or (steps[0] if steps else "")
    if step not in steps:
        step = steps[0] if steps else ""
    candidates = services.reminder_candidates(pledge, step) if step else []
    back = reverse("pledges:reminders", args=[pledge.pk]) + f"?step={step}"
    if request.method == "POST":
        chosen = [v for v in request.POST.getlist("organization") if v.isdigit()]
        report_count(
            request,
            lambda: services.reminders_send(
                pledge=pledge, step=step, organization_ids=chosen, actor=request.user
            ),
            lambda count: (
                ngettext(
                    "A reminder was sent to %(count)d member.",
                    "A reminder was sent to %(count)d members.",
                    count,
                )
                % {"count": count}
            ),
        )
        return redirect(back)
    context = {
        "pledge": pledge,
        "access": found,
        "secretariat": found.secretariat,
        "steps": steps,
        "step": step,
        "candidates": candidates,
    }
    return render(request, "pledges/reminders.html", context)
