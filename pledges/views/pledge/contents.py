"""The pledge's contents and its criteria tree, edited by the secretariat until signing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ... import services
from ...forms import pledge as f
from ...models import Criterion, Pledge
from ...selectors import pledge_pages
from .._access import add_service_errors, delete_after_confirm, error_text, pick
from ._common import frozen, nav, pledge_writer


@pledge_writer
def pledge_items(request: HttpRequest, pledge: Pledge, access) -> HttpResponse:
    if not services.items_editable(pledge):
        return frozen(request, pledge, services.ITEMS_FROZEN)
    initial = list(pledge.items.values("id", "order", "text"))
    formset = f.ItemFormSet(request.POST or None, prefix="items", initial=initial)
    if request.method == "POST" and formset.is_valid():
        try:
            services.pledge_save_items(pledge=pledge, rows=f.item_rows(formset), actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The contents of the pledge have been saved."))
            return redirect(pledge)
    context = {**nav(access, "pledge"), "formset": formset}
    return render(request, "pledges/pledge_items.html", context)


@pledge_writer
def pledge_criteria(request: HttpRequest, pledge: Pledge, access) -> HttpResponse:
    """The criteria tree with one form to add a criterion, or to edit the one in ?edit=;
    ?delete= asks for confirmation first."""
    if not services.criteria_editable(pledge):
        return frozen(request, pledge, services.CRITERIA_FROZEN)
    page = pledge_pages.criteria_page(pledge)
    deleting = _criterion_param(request, "delete", page.criteria)
    if deleting is not None:
        return _criterion_delete(request, access, deleting, page.criteria)
    editing = _criterion_param(request, "edit", page.criteria)
    form = _criterion_form(request, pledge, page.criteria, editing)
    if request.method == "POST" and form.is_valid():
        try:
            _save_criterion(request, pledge, editing, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            done = (
                _("The criterion has been saved.")
                if editing
                else _("The criterion has been added.")
            )
            messages.success(request, done)
            return redirect("pledges:pledge_criteria", pledge.pk)
    context = {**nav(access, "pledge"), **pledge_pages.as_context(page)}
    return render(
        request, "pledges/pledge_criteria.html", {**context, "form": form, "editing": editing}
    )


def _criterion_param(request: HttpRequest, name: str, criteria: list[Criterion]):
    value = request.GET.get(name, "")
    return pick(criteria, value) if value else None


def _criterion_form(request, pledge: Pledge, criteria, editing) -> f.CriterionForm:
    """The form of the criterion being edited, or of a new one placed last."""
    initial = {"order": (max((c.order for c in criteria), default=0) + 1)}
    if editing is not None:
        initial = {name: getattr(editing, name) for name in f.CriterionForm.base_fields}
    return f.CriterionForm(
        request.POST or None,
        pledge=pledge,
        criteria=criteria,
        criterion=editing,
        initial=initial,
    )


def _save_criterion(request, pledge: Pledge, editing, data: dict) -> None:
    if editing is None:
        services.criterion_create(pledge=pledge, actor=request.user, **data)
    else:
        services.criterion_update(criterion=editing, actor=request.user, **data)


def _criterion_delete(request, access, criterion: Criterion, criteria) -> HttpResponse:
    pledge = access.pledge
    below = len(f.descendants(criteria, criterion)) - 1
    text = _("Delete the criterion %(code)s “%(text)s”?") % {
        "code": criterion.code,
        "text": criterion.text,
    }
    if below:
        text += " " + _("Its %(count)s sub-criteria are deleted with it.") % {"count": below}
    return delete_after_confirm(
        request,
        pledge,
        delete=lambda: services.criterion_delete(criterion=criterion, actor=request.user),
        done=_("The criterion has been deleted."),
        title=_("Delete criterion"),
        text=text,
        back=reverse("pledges:pledge_criteria", args=[pledge.pk]),
        access=access,
    )
