"""The notices pages: the list (read / unread), opening one (marks it read, goes to the
thing itself), mark all read, the preferences with the calendar feed, the feed itself and
the unsubscribe page. Everything here is the signed-in person's own, except the feed and the
unsubscribe page, which a secret key or a signed token opens without a login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from blocs.calendars import ICS_TYPE, meetings_calendar
from blocs.models import Bloc, Meeting
from portal.lib.http import GET_POST

from . import services
from .forms import PreferencesForm
from .models import Notification, Subscriber

PAGE_SIZE = 30


@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(recipient=request.user)
    show = request.GET.get("show", "")
    if show == "unread":
        notices = notices.unread()
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "show": show})


@require_GET
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notice read and go to what it is about (someone else's notice: 404)."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notice_open(notice=notice)
    safe = url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None)
    return redirect(notice.url if notice.url and safe else "notifications:list")


@require_POST
def notices_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notices_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("%(count)s notices are marked as read.") % {"count": count})
    else:
        messages.info(request, _("There was nothing unread."))
    return redirect("notifications:list")


@GET_POST
def preferences(request: HttpRequest) -> HttpResponse:
    subscriber = services.subscriber_for(request.user)
    initial = PreferencesForm.initial_for(
        services.preferences_of(request.user), subscriber.language
    )
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(
            user=request.user, modes=form.modes(), language=form.cleaned_data["language"]
        )
        messages.success(request, _("Your notice settings have been saved."))
        return redirect("notifications:preferences")
    feed_url = None
    if subscriber.calendar_token:
        path = reverse("calendar_feed", args=[subscriber.calendar_token])
        feed_url = request.build_absolute_uri(path)
    context = {"form": form, "feed_url": feed_url}
    return render(request, "notifications/preferences.html", context)


@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    services.calendar_regenerate(user=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect(reverse("notifications:preferences") + "#calendar")


@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    services.calendar_revoke(user=request.user)
    messages.success(request, _("Your calendar address is turned off."))
    return redirect(reverse("notifications:preferences") + "#calendar")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's blocs' meetings, for Outlook or Google Calendar to subscribe to: the
    secret key stands for the login (a revoked or unknown key: 404)."""
    subscriber = Subscriber.objects.filter(calendar_token=token).select_related("user").first()
    if subscriber is None or not subscriber.user.is_active:
        raise Http404
    blocs = Bloc.objects.visible_to(subscriber.user)
    meetings = Meeting.objects.filter(bloc__in=blocs).select_related("bloc").order_by("starts_at")
    pairs = [(m, request.build_absolute_uri(m.get_absolute_url())) for m in meetings]
    body = meetings_calendar(pairs, _("Meetings of my emulation blocs"), alarm=True)
    return HttpResponse(body, content_type=ICS_TYPE)


@login_not_required
@csrf_exempt  # the signed token is the proof; mail clients POST without a CSRF token (RFC 8058)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = services.unsubscribe_read(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    user, kind = found
    if request.method == "POST":
        services.unsubscribe(user=user, kind=kind)
        return render(request, "notifications/unsubscribe.html", {"done": True, "kind": kind})
    return render(request, "notifications/unsubscribe.html", {"kind": kind, "all": kind == "*"})
