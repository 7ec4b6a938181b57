from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.mail import send_mail
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
    actions = ["send_again", "send_test"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Try the selected unsent e-mails again"))
    def send_again(self, request, queryset):
        ids = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(attempts=0)
        for pk in ids:
            tasks.send_delivery.delay(pk)
        self.message_user(request, _("%(count)s e-mails queued.") % {"count": len(ids)})

    @admin.action(description=_("Send a test e-mail to me (checks SMTP)"))
    def send_test(self, request, queryset):
        if not request.user.email:
            self.message_user(request, _("Your account has no e-mail address."), messages.ERROR)
            return
        try:
            send_mail(
                _("Test e-mail of the emulation portal"),
                _("SMTP works: this e-mail reached you."),
                settings.DEFAULT_FROM_EMAIL,
                [request.user.email],
            )
        except OSError as exc:  # smtplib's errors are OSErrors
            self.message_user(
                request, _("SMTP refused: %(error)s") % {"error": exc}, messages.ERROR
            )
        else:
            self.message_user(request, _("Sent to %(to)s.") % {"to": request.user.email})


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
