"""Meeting pages: the list by year, the record, its forms, decisions, attachments, calendars.

Access is the policy's (`blocs.rules`): every member of a bloc reads its meetings (404 for
outsiders); writing needs the bloc's secretariat of the meeting's year (403). The
`meeting_writer` decorator asks it and, for approved minutes, sends the user back to the
record with a message instead of opening the form.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import HiddenInput
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from portal.lib.forms import ReopenForm, add_service_errors, formset_rows
from portal.lib.http import GET_POST, report_count, year_param
from portal.lib.spreadsheets import xlsx_response
from portal.lib.types import StrOrPromise

from .. import forms as f
from .. import selectors, services
from ..calendars import ICS_TYPE, meetings_calendar
from ..exports import attendance_xlsx
from ..models import ChairTerm, Meeting, current_year
from ..models.meetings import deputy_word
from ..rules import access as bloc_access
from ..rules import (
    get_attachment_or_404,
    get_bloc_or_404,
    get_meeting_or_404,
    list_year,
    member_choices,
    read_years,
)


def meeting_writer(unlocked: bool = True):
    """Pass the meeting to a view only for its year's secretariat; approved minutes stay
    shut, and a cancelled meeting is shut for good."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
            meeting, _access = get_meeting_or_404(request, pk, need="write")
            if meeting.is_cancelled:
                messages.error(request, services.MEETING_CANCELLED)
                return redirect(meeting)
            if unlocked and meeting.is_locked:
                messages.error(request, services.MEETING_LOCKED)
                return redirect(meeting)
            return view(request, meeting)

        return GET_POST(wrapper)

    return decorator


def _form_page(request, meeting, form, title: str, submit: str, **extra) -> HttpResponse:
    context = {"meeting": meeting, "bloc": meeting.bloc, "year": meeting.year, "form": form}
    context["title"] = title
    return render(request, "blocs/meeting_form.html", {**context, "submit": submit, **extra})


def _confirm_page(request, meeting, title: str, text: str, submit: str) -> HttpResponse:
    context = {"meeting": meeting, "title": title, "text": text, "submit": submit}
    return render(request, "blocs/meeting_confirm.html", context)


# Reading -------------------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest, pk: int) -> HttpResponse:
    reads = read_years(request.user, pk)
    bloc, access = get_bloc_or_404(request, pk, year=list_year(request, pk, reads))
    year = access.year
    # only the years the user reads (a former member: not the ones after it left)
    shown = {*selectors.meeting_years(bloc), current_year(), year}
    years = sorted((y for y in shown if reads(y)), reverse=True)
    context = {
        "bloc": bloc,
        "year": year,
        "years": years,
        "meetings": selectors.meetings_of(bloc, year),
        "can_write": access.can_write,
    }
    return render(request, "blocs/meeting_list.html", context)


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, access = get_meeting_or_404(request, pk)
    page = selectors.meeting_page(meeting)
    # a cancelled meeting is shut: no form of it is offered (meeting_writer refuses them)
    context = {"page": page, "can_write": access.can_write and not meeting.is_cancelled}
    return render(request, "blocs/meeting_detail.html", context)


@require_GET
def meeting_attendance_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's attendance as .xlsx, for whoever reads the meeting."""
    meeting, _access = get_meeting_or_404(request, pk)
    return xlsx_response(attendance_xlsx(meeting), f"tham-du-hoi-nghi-{meeting.pk}.xlsx")


# Writing the record --------------------------------------------------------


@GET_POST
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, access = get_bloc_or_404(request, pk, need="write", year=year_param(request))
    year = access.year
    form = f.MeetingForm(request.POST or None, bloc=bloc, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        if not bloc_access(request.user, bloc, form.cleaned_data["year"]).can_write:
            form.add_error("year", _("You are not in the secretariat for that year."))
        else:
            try:
                meeting = services.meeting_create(
                    bloc=bloc, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The meeting has been created."))
                return redirect(meeting)
    context = {"bloc": bloc, "year": year, "form": form, "title": _("New meeting")}
    context["submit"] = _("Create meeting")
    return render(request, "blocs/meeting_form.html", context)


@meeting_writer()
def meeting_edit(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    initial = {name: getattr(meeting, name) for name in f.MeetingEditForm.base_fields}
    form = f.MeetingEditForm(request.POST or None, bloc=meeting.bloc, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The meeting has been saved."))
            return redirect(meeting)
    return _form_page(request, meeting, form, _("Edit meeting"), _("Save"))


@meeting_writer()
def meeting_record(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """People, attendance and agenda in one form; all of it is saved or none."""
    data = request.POST or None
    members = selectors.members_in(meeting.bloc, meeting.year)
    people = f.PersonFormSet(data, prefix="people", initial=_rows(meeting.people.all()))
    attendance = f.AttendanceFormSet(
        data,
        prefix="attendance",
        initial=selectors.attendance_initial(meeting),
        form_kwargs={"members": members},
    )
    agenda = f.AgendaFormSet(data, prefix="agenda", initial=_rows(meeting.agenda.all()))
    # Blank rows only for a first record; the page adds and removes rows itself (portal.js).
    people.extra = 0 if people.initial else people.extra
    agenda.extra = 0 if agenda.initial else agenda.extra
    formsets = {"people": people, "attendance": attendance, "agenda": agenda}
    if request.method == "POST" and all(fs.is_valid() for fs in formsets.values()):
        try:
            services.meeting_save_record(
                meeting=meeting,
                people=formset_rows(formsets["people"]),
                attendance=formset_rows(formsets["attendance"]),
                agenda=formset_rows(formsets["agenda"]),
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The record has been saved."))
            return redirect(meeting)
    present, total = selectors.quorum(meeting)
    context = {"meeting": meeting, **formsets, "present": present, "members": total}
    context["formsets"] = list(formsets.values())  # the error summary at the top
    return render(request, "blocs/meeting_record.html", context)


def _rows(queryset) -> list[dict]:
    return list(queryset.values())


# Status: held, approved, reopened -------------------------------------------


def _status_action(request, meeting, service, done: str, **kwargs) -> HttpResponse:
    try:
        service(meeting=meeting, actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(meeting)


@meeting_writer()
def meeting_hold(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    if request.method == "POST":
        done = _("The meeting is marked as held.")
        return _status_action(request, meeting, services.meeting_mark_held, done)
    text = _("Mark this meeting as held? Its minutes can then be approved.")
    return _confirm_page(request, meeting, _("Mark as held"), text, _("Mark as held"))


@meeting_writer()
def meeting_all_present(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """Bulk: every member of the year present (a confirmation first)."""
    if request.method == "POST":
        report_count(
            request,
            lambda: services.meeting_mark_all_present(meeting=meeting, actor=request.user),
            lambda count: (
                ngettext(
                    "Every member is recorded as present (%(count)d changed).",
                    "Every member is recorded as present (%(count)d changed).",
                    count,
                )
                % {"count": count}
            ),
        )
        return redirect(meeting)
    members = len(selectors.members_in(meeting.bloc, meeting.year))
    text = ngettext(
        "Record the %(count)d member of %(year)s as present? Representatives already entered "
        "are kept; you can still change a row afterwards.",
        "Record all %(count)d members of %(year)s as present? Representatives already entered "
        "are kept; you can still change a row afterwards.",
        members,
    ) % {"count": members, "year": meeting.year}
    label = _("Mark everyone present")
    return _confirm_page(request, meeting, label, text, label)


@meeting_writer()
def meeting_approve(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    if request.method == "POST":
        done = _("The minutes are approved and now read-only.")
        return _status_action(request, meeting, services.meeting_approve, done)
    text = _(
        "Approve the minutes? The record becomes read-only for everyone; correcting it "
        "later needs reopening with a reason."
    )
    return _confirm_page(request, meeting, _("Approve minutes"), text, _("Approve minutes"))


def _recorded(
    request: HttpRequest, meeting: Meeting, form, write: Callable[..., object], done: StrOrPromise
) -> HttpResponse | None:
    """For a valid POST: the service's write for the meeting, a message and back to the
    meeting. None when the page is to be shown (again), with the service's refusal on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        write(meeting=meeting, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, done)
    return redirect(meeting)


@meeting_writer(unlocked=False)
def meeting_reopen(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = ReopenForm(request.POST or None)
    done = _("The minutes are reopened for correction.")
    if recorded := _recorded(request, meeting, form, services.meeting_reopen, done):
        return recorded
    return _form_page(request, meeting, form, _("Reopen minutes"), _("Reopen minutes"))


@meeting_writer()
def meeting_cancel(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = f.CancelMeetingForm(request.POST or None)
    done = _("The meeting is cancelled; the members are told.")
    if recorded := _recorded(request, meeting, form, services.meeting_cancel, done):
        return recorded
    intro = _(
        "The members are told that the meeting is cancelled, with the reason below, and their "
        "calendars mark it as cancelled. This cannot be undone: schedule a new meeting if it "
        "takes place later."
    )
    return _form_page(
        request,
        meeting,
        form,
        _("Cancel meeting"),
        _("Cancel the meeting"),
        intro=intro,
        back=_("Keep the meeting"),
    )


# Decisions -----------------------------------------------------------------


@meeting_writer()
def meeting_elect(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    members = selectors.members_in(meeting.bloc, meeting.year + 1)
    form = f.ElectionForm(request.POST or None, members=members, bloc=meeting.bloc)
    words = {"chair_word": meeting.bloc.chair_word, "deputy_word": deputy_word(meeting.bloc)}
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_elect_chair(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            if getattr(exc, "code", None) != "term_exists":
                form.add_error(None, exc)
            else:  # show what would be replaced; the confirm button sends replace=1
                existing = ChairTerm.objects.select_related("chair", "deputy").get(
                    bloc=meeting.bloc, year=meeting.year + 1
                )
        else:
            done = _(
                "The election is recorded: the %(chair_word)s and %(deputy_word)s of next year "
                "are set."
            )
            messages.success(request, done % words)
            return redirect(meeting)
    if existing is None:
        form.fields["replace"].widget = HiddenInput()
        submit = _("Record election")
    else:
        submit = _("Replace the %(chair_word)s and %(deputy_word)s recorded") % words
    title = _("Election of the %(chair_word)s and %(deputy_word)s for %(year)s") % {
        "year": meeting.year + 1,
        **words,
    }
    return _form_page(request, meeting, form, title, submit, existing=existing, words=words)


@meeting_writer()
def meeting_membership(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    initial = {"from_year": meeting.year + 1, "joins": "1"}
    organizations = member_choices(request.user, meeting.bloc)
    form = f.MembershipChangeForm(
        request.POST or None, initial=initial, bloc=meeting.bloc, organizations=organizations
    )
    done = _("The membership change is recorded.")
    if recorded := _recorded(request, meeting, form, services.meeting_change_membership, done):
        return recorded
    title = _("Membership change")
    return _form_page(request, meeting, form, title, _("Record membership change"))


@meeting_writer()
def meeting_decision(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """A decision that changes nothing else: the pledge adopted, the ranking approved, or
    one written out. Kept as data, so the minutes print it in Vietnamese."""
    form = f.DecisionForm(request.POST or None, initial={"year": meeting.year})
    done = _("The decision is recorded.")
    if recorded := _recorded(request, meeting, form, services.meeting_record_decision, done):
        return recorded
    return _form_page(request, meeting, form, _("Record a decision"), _("Record decision"))


# Attachments ---------------------------------------------------------------


@meeting_writer(unlocked=False)  # signed scans may follow approval; the service decides
def attachment_add(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = f.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.attachment_add(
                meeting=meeting,
                kind=data["kind"],
                title=data["title"],
                uploaded=data["file"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The file has been attached."))
            return redirect(meeting)
    return _form_page(request, meeting, form, _("Attach a file"), _("Upload"), multipart=True)


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment, _access = get_attachment_or_404(request, pk)
    return attachment.download()


@GET_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment, _access = get_attachment_or_404(request, pk, need="write")
    meeting = attachment.meeting
    if request.method == "POST":
        try:
            services.attachment_delete(attachment=attachment, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The attachment has been deleted."))
        return redirect(meeting)
    text = _("Delete the attachment “%(title)s” (%(name)s)? The file is removed for good.") % {
        "title": attachment.title,
        "name": attachment.original_name,
    }
    return _confirm_page(request, meeting, _("Delete attachment"), text, _("Delete"))


# Calendars -----------------------------------------------------------------


def _calendar_response(request, meetings, name: str, filename: str) -> HttpResponse:
    pairs = [(m, request.build_absolute_uri(m.get_absolute_url())) for m in meetings]
    response = HttpResponse(meetings_calendar(pairs, name), content_type=ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _access = get_meeting_or_404(request, pk)
    return _calendar_response(request, [meeting], meeting.title, f"meeting-{meeting.pk}.ics")


@require_GET
def bloc_ics(request: HttpRequest, pk: int) -> HttpResponse:
    bloc, _access = get_bloc_or_404(request, pk)
    # the meetings of the years the user reads (a former member: not the later ones)
    meetings = Meeting.objects.visible_to(request.user).filter(bloc=bloc)
    meetings = meetings.select_related("bloc").order_by("starts_at")
    return _calendar_response(request, meetings, bloc.name, f"bloc-{bloc.pk}-meetings.ics")
