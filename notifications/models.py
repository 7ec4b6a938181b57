"""Notices (one per person and event), how each person wants them, and the e-mails sent."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import DEADLINES, KINDS, REMINDER_STEPS, Kind, Mode


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One notice to one person. `event_key` names the event (e.g. "sheet-returned:12:…"):
    the pair is unique, so a retried task, a second beat or a restart never makes a second
    notice (nor a second e-mail) of the same event for the same person."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    event_key = models.CharField(_("event"), max_length=200)
    url = models.CharField(_("link"), max_length=500, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email = models.CharField(_("e-mail"), max_length=10, choices=Mode.choices, default=Mode.DIGEST)
    delivery = models.ForeignKey(
        "EmailDelivery",
        verbose_name=_("e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="one_notice_per_person_and_event"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread_idx")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """What the notice says, in the active language."""
        params = dict(self.params)
        if "deadline" in params:
            params["deadline"] = DEADLINES.get(params["deadline"], params["deadline"])
        if "step" in params:
            params["step"] = REMINDER_STEPS.get(params["step"], params["step"])
        try:
            return str(KINDS[self.kind].text) % params
        except (KeyError, TypeError, ValueError):
            return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How one person wants one kind of notice by e-mail (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    mode = models.CharField(_("e-mail"), max_length=10, choices=Mode.choices)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.mode}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    """A person's settings for being told: the language of their e-mails and the secret
    address of their calendar feed (none: no feed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="subscriber",
    )
    language = models.CharField(
        _("language of e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    calendar_token = models.CharField(
        _("calendar feed key"), max_length=64, unique=True, null=True, blank=True
    )

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")

    def __str__(self) -> str:
        return str(self.user)


class EmailDelivery(models.Model):
    """One e-mail: a notice sent at once, or a person's daily digest. `key` is unique
    ("notice:<id>", "digest:<person>:<day>"), so it is prepared once however often the
    scheduler runs; `attempts` and `last_error` show the admin what SMTP said."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")
        DIGEST = "digest", _("Daily digest")

    key = models.CharField(_("key"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="email_deliveries",
    )
    day = models.DateField(_("day"), null=True, blank=True)
    to = models.EmailField(_("address"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail sent")
        verbose_name_plural = _("e-mails sent")
        indexes = [models.Index(fields=["sent_at", "attempts"], name="delivery_unsent_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to or self.recipient}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        return "failed" if self.last_error else "pending"
