from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import tasks
from .models import EmailDelivery, Notification, Preference, Subscriber


class DeliveredFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return [("sent", _("Sent")), ("failed", _("Failed")), ("pending", _("Waiting"))]

    def queryset(self, request, queryset):
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        if self.value() == "failed":
            return queryset.filter(sent_at__isnull=True).exclude(last_error="")
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True, last_error="")
        return queryset


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """The e-mails sent: who, what, when, delivered or failed (SMTP's last answer)."""

    list_display = ["created_at", "kind", "to", "subject", "sent_at", "attempts", "last_error"]
    list_filter = [DeliveredFilter, "kind"]
    search_fields = ["to", "subject", "recipient__username", "recipient__last_name"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    # A "Send a test e-mail" button above the list (an action would need a row to select,
    # and a new installation has none).
    change_list_template = "admin/notifications/emaildelivery/change_list.html"

    def get_urls(self):
        test = path(
            "smtp-test/",
            self.admin_site.admin_view(self.smtp_test_view),
            name="notifications_emaildelivery_smtp_test",
        )
        return [test, *super().get_urls()]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Try the selected unsent e-mails again"))
    def send_again(self, request, queryset):
        ids = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(attempts=0)
        for pk in ids:
            tasks.send_delivery.delay(pk)
        self.message_user(request, _("%(count)s e-mails queued.") % {"count": len(ids)})

    def smtp_test_view(self, request: HttpRequest) -> HttpResponse:
        """POST: one e-mail to the admin's own address through the configured backend; the
        message says what SMTP answered."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        back = redirect("admin:notifications_emaildelivery_changelist")
        if request.method != "POST":
            return back
        if not request.user.email:
            self.message_user(request, _("Your account has no e-mail address."), messages.ERROR)
            return back
        try:
            send_mail(
                gettext("Test e-mail of the emulation portal"),
                gettext("SMTP works: this e-mail reached you."),
                settings.DEFAULT_FROM_EMAIL,
                [request.user.email],
            )
        except OSError as exc:  # smtplib's errors are OSErrors
            self.message_user(
                request, _("SMTP refused: %(error)s") % {"error": exc}, messages.ERROR
            )
        else:
            self.message_user(request, _("Sent to %(to)s.") % {"to": request.user.email})
        return back


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "email", "read_at", "delivery"]
    list_filter = ["kind", "email"]
    search_fields = ["recipient__username", "recipient__last_name", "event_key"]
    raw_id_fields = ["recipient", "delivery"]
    readonly_fields = ["event_key", "params", "created_at"]
    list_select_related = ["recipient", "delivery"]


admin.site.register(Preference)
admin.site.register(Subscriber)
