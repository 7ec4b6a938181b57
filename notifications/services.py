"""Writes of the notifications app: making notices (never twice), marking them read,
preferences, the calendar key, the deadline scan and the daily digest.

Every batch costs a fixed number of queries however many people or pledges it covers: the
rows are built in Python and written with one `bulk_create(ignore_conflicts=True)`, whose
unique constraint (recipient, event key) is what makes a repeated run harmless.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from blocs.models import ChairTerm, Membership, Official, SecretaryAssignment
from pledges.models import Pledge, Registration, ScoreSheet
from pledges.models.year import MAX_REMINDER_DAYS
from portal.lib.types import Actor

from .kinds import Kind, Mode, default_mode
from .models import EmailDelivery, Notification, Preference, Subscriber, new_token

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
ALL_KINDS = "*"


@dataclass
class NewNotice:
    recipient_id: int
    kind: str
    event_key: str
    url: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    detail: str = ""


def day(value: datetime.date | datetime.datetime | None) -> str:
    """dd/mm/yyyy (the portal's date format whatever the language)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return date_format(value, "d/m/Y")


def modes_for(user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], str]:
    """(person, kind) → mode, for the pairs that have a preference row (one query)."""
    rows = Preference.objects.filter(user_id__in=list(user_ids), kind__in=list(kinds))
    return {(uid, kind): mode for uid, kind, mode in rows.values_list("user_id", "kind", "mode")}


def deliver(notices: list[NewNotice], *, now: datetime.datetime | None = None) -> int:
    """Make the notices (2 queries); those already made for the same person and event are
    left alone. Immediate e-mails are queued once the transaction commits."""
    if not notices:
        return 0
    now = now or timezone.now()
    chosen = modes_for({n.recipient_id for n in notices}, {n.kind for n in notices})
    rows = []
    for notice in notices:
        mode = chosen.get((notice.recipient_id, notice.kind), default_mode(notice.kind))
        rows.append(
            Notification(
                recipient_id=notice.recipient_id,
                kind=notice.kind,
                event_key=notice.event_key[:200],
                url=notice.url,
                params=notice.params,
                detail=notice.detail,
                email=mode,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email == Mode.IMMEDIATE for row in rows):
        queue_immediate()
    return len(rows)


def notify(
    *,
    recipients: Iterable[int],
    kind: str,
    event_key: str,
    url: str = "",
    params: dict[str, Any] | None = None,
    detail: str = "",
    exclude: Actor = None,
) -> int:
    """One event told to several people; the person who caused it is not told."""
    skip = exclude.pk if exclude is not None else None
    notices = [
        NewNotice(uid, kind, event_key, url, dict(params or {}), detail)
        for uid in set(recipients)
        if uid != skip
    ]
    return deliver(notices)


def queue_immediate() -> None:
    from . import tasks

    # robust: a broker that is down must not undo the user's action; the beat's
    # `send_pending` picks the notice up later.
    transaction.on_commit(tasks.send_immediate.delay, robust=True)


# Reading and marking -------------------------------------------------------------------


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notice_open(*, notice: Notification, now: datetime.datetime | None = None) -> Notification:
    if notice.read_at is None:
        notice.read_at = now or timezone.now()
        Notification.objects.filter(pk=notice.pk, read_at__isnull=True).update(
            read_at=notice.read_at
        )
    return notice


def notices_mark_all_read(*, user: Any, now: datetime.datetime | None = None) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


# Preferences, language, calendar key -------------------------------------------------


def subscriber_for(user: Any) -> Subscriber:
    found, _created = Subscriber.objects.get_or_create(user_id=user.pk)
    return found


def preferences_of(user: Any) -> dict[str, str]:
    """Every kind → the person's mode (the kind's default where no row says otherwise)."""
    chosen = dict(Preference.objects.filter(user_id=user.pk).values_list("kind", "mode"))
    return {kind: chosen.get(kind, default_mode(kind)) for kind in Kind.values}


@transaction.atomic
def preferences_save(*, user: Any, modes: dict[str, str], language: str | None = None) -> None:
    for kind, mode in modes.items():
        if kind not in Kind.values or mode not in Mode.values:
            raise ValueError(f"unknown kind or mode: {kind!r} {mode!r}")
        Preference.objects.update_or_create(user_id=user.pk, kind=kind, defaults={"mode": mode})
    if language is not None:
        subscriber = subscriber_for(user)
        subscriber.language = language
        subscriber.save(update_fields=["language"])


def calendar_regenerate(*, user: Any) -> Subscriber:
    """A new secret feed address; the old one stops working at once."""
    subscriber = subscriber_for(user)
    subscriber.calendar_token = new_token()
    subscriber.save(update_fields=["calendar_token"])
    return subscriber


def calendar_revoke(*, user: Any) -> Subscriber:
    subscriber = subscriber_for(user)
    subscriber.calendar_token = None
    subscriber.save(update_fields=["calendar_token"])
    return subscriber


# Unsubscribing without a login -------------------------------------------------------


def unsubscribe_token(user_id: int, kind: str = ALL_KINDS) -> str:
    """Signed (SECRET_KEY), no expiry: an old e-mail's link keeps working."""
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[Any, str] | None:
    """The person and kind a token names, or None for a forged or broken one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = get_user_model().objects.get(pk=int(data["u"]))
        kind = str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, ObjectDoesNotExist):
        return None
    if kind != ALL_KINDS and kind not in Kind.values:
        return None
    return user, kind


@transaction.atomic
def unsubscribe(*, user: Any, kind: str) -> None:
    """No more e-mail of `kind` (all kinds for "*"); the notices stay in the portal."""
    kinds = Kind.values if kind == ALL_KINDS else [kind]
    preferences_save(user=user, modes=dict.fromkeys(kinds, Mode.OFF))
    # What was waiting for the digest or the next send is not sent either.
    Notification.objects.filter(
        recipient_id=user.pk, kind__in=kinds, delivery__isnull=True
    ).exclude(email=Mode.OFF).update(email=Mode.OFF)


# Scheduled work ----------------------------------------------------------------------

SCANNED = (Pledge.Status.OPEN, Pledge.Status.SIGNED, Pledge.Status.SCORING)


def _due(
    pledge: Pledge, deadline: datetime.date | None, today: datetime.date
) -> tuple[str, str] | None:
    """(kind, step) of the reminder due today for `deadline`, or None. A reminder is due
    from its day on (a beat that missed a day still sends it, once: the step is in the key)."""
    if deadline is None:
        return None
    left = (deadline - today).days
    if left == -1:
        return Kind.DEADLINE_PASSED, "passed"
    if left < 1:
        return None
    steps = [d for d in pledge.reminder_day_list if d >= left]
    if not steps:
        return None
    return (Kind.DEADLINE_TOMORROW if left == 1 else Kind.DEADLINE_SOON), str(min(steps))


def deadlines_scan(*, today: datetime.date | None = None) -> int:
    """Remind the members that have not yet registered or submitted their self-scoring, a
    few days before each deadline (the pledge's `reminder_days`) and the day after it; and
    the secretariat of the pledge's year, the same days before its verification deadline,
    while a member's self-scoring waits for verification (self-scored then verified pledges;
    cross-scored ones have no verification round). Seven queries at most (nine when a
    verification reminder is due), however many pledges are open; a second run the same day
    adds nothing."""
    today = today or timezone.localdate()
    window = (today - datetime.timedelta(days=1), today + datetime.timedelta(MAX_REMINDER_DAYS))
    pledges = list(
        Pledge.objects.filter(status__in=SCANNED)
        .filter(
            Q(registration_deadline__range=window)
            | Q(scoring_deadline__range=window)
            | Q(verification_deadline__range=window)
        )
        .select_related("bloc")
    )
    due = []
    for pledge in pledges:
        found = _due(pledge, pledge.registration_deadline, today)
        if found:
            due.append((pledge, "registration", pledge.registration_deadline, *found))
        if pledge.status == Pledge.Status.SCORING:
            found = _due(pledge, pledge.scoring_deadline, today)
            if found:
                due.append((pledge, "scoring", pledge.scoring_deadline, *found))
            found = (
                None
                if pledge.is_cross_scored
                else _due(pledge, pledge.verification_deadline, today)
            )
            if found:
                due.append((pledge, "verification", pledge.verification_deadline, *found))
    if not due:
        return 0
    pledge_ids = {p.pk for p, *_rest in due}
    members: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(bloc_id__in={p.bloc_id for p, *_r in due}):
        members[membership.bloc_id].append(membership)
    registered = set(
        Registration.objects.filter(
            pledge_id__in=pledge_ids, submitted_at__isnull=False
        ).values_list("pledge_id", "organization_id")
    )
    done_rounds: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for pledge_id, org_id, round_ in ScoreSheet.objects.filter(
        pledge_id__in=pledge_ids,
        round__in=[ScoreSheet.Round.SELF, ScoreSheet.Round.VERIFIED],
        status=ScoreSheet.Status.SUBMITTED,
    ).values_list("pledge_id", "organization_id", "round"):
        done_rounds[round_].add((pledge_id, org_id))
    scored, verified = done_rounds[ScoreSheet.Round.SELF], done_rounds[ScoreSheet.Round.VERIFIED]
    org_ids = {m.organization_id for ms in members.values() for m in ms}
    secretariat = _secretariats(
        {(p.bloc_id, p.year) for p, which, *_r in due if which == "verification"}
    )
    org_ids |= {org for chairs, _people in secretariat.values() for org in chairs}
    officials: dict[int, list[int]] = defaultdict(list)
    rows = Official.objects.filter(organization_id__in=org_ids, user__is_active=True)
    for org_id, user_id in rows.values_list("organization_id", "user_id"):
        officials[org_id].append(user_id)
    pages = {
        "registration": "pledges:registration",
        "scoring": "pledges:self_score",
        "verification": "pledges:verify",
    }
    notices: list[NewNotice] = []
    for pledge, which, deadline, kind, step in due:
        params = {
            "deadline": which,
            "pledge": pledge.title,
            "bloc": pledge.bloc.name,
            "date": day(deadline),
            "days": (deadline - today).days,
        }
        key = f"deadline:{pledge.pk}:{which}:{deadline.isoformat()}:{step}"
        url = reverse(pages[which], args=[pledge.pk])
        covered = [m.organization_id for m in members[pledge.bloc_id] if m.covers(pledge.year)]
        if which == "verification":
            if all((pledge.pk, org) in verified for org in covered):
                continue  # every member verified: nothing to remind of
            chairs, assigned = secretariat[(pledge.bloc_id, pledge.year)]
            people = {uid for org in chairs for uid in officials[org]} | assigned
            notices.extend(NewNotice(uid, kind, key, url, params) for uid in sorted(people))
            continue
        done = registered if which == "registration" else scored
        for org in covered:
            if (pledge.pk, org) in done:
                continue
            for user_id in officials[org]:
                notices.append(NewNotice(user_id, kind, key, url, params))
    return deliver(notices)


def _secretariats(
    bloc_years: set[tuple[int, int]],
) -> dict[tuple[int, int], tuple[set[int], set[int]]]:
    """(bloc, year) → (the chair organizations, the people assigned) of each pair, as
    `blocs.rules.secretariat_of` answers, in two queries for all pairs (none for none)."""
    found: dict[tuple[int, int], tuple[set[int], set[int]]] = {
        pair: (set(), set()) for pair in bloc_years
    }
    if not bloc_years:
        return found
    blocs = {bloc for bloc, _year in bloc_years}
    years = {year for _bloc, year in bloc_years}
    terms = ChairTerm.objects.filter(bloc_id__in=blocs, year__in=years)
    for bloc_id, year, chair_id in terms.values_list("bloc_id", "year", "chair_id"):
        if (bloc_id, year) in found:
            found[(bloc_id, year)][0].add(chair_id)
    assignments = SecretaryAssignment.objects.filter(bloc_id__in=blocs, user__is_active=True)
    for assignment in assignments:
        for (bloc_id, year), (_chairs, people) in found.items():
            if assignment.bloc_id == bloc_id and assignment.covers(year):
                people.add(assignment.user_id)
    return found


def digests_prepare(*, now: datetime.datetime | None = None) -> list[int]:
    """Gather each person's notices waiting for the digest into today's digest e-mail (one
    per person and day: the key says so). Four queries however many people; returns the
    digests still to send. Nobody without waiting notices gets one."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = Notification.objects.filter(
        email=Mode.DIGEST, delivery__isnull=True, created_at__lte=now
    )
    people = get_user_model().objects.filter(is_active=True).exclude(email="")
    found = people.filter(pk__in=waiting.values("recipient_id")).values_list("pk", "email")
    EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(
                key=f"digest:{uid}:{today.isoformat()}",
                kind=EmailDelivery.Kind.DIGEST,
                recipient_id=uid,
                day=today,
                to=email,
                created_at=now,
            )
            for uid, email in found
        ],
        ignore_conflicts=True,
    )
    todays = EmailDelivery.objects.filter(
        kind=EmailDelivery.Kind.DIGEST, day=today, sent_at__isnull=True
    )
    waiting.filter(recipient__in=people).update(
        delivery=Subquery(todays.filter(recipient_id=OuterRef("recipient_id")).values("pk")[:1])
    )
    return list(todays.filter(attempts__lt=max_attempts()).values_list("pk", flat=True))


def immediate_prepare() -> list[int]:
    """One e-mail per notice that cannot wait and has none yet (4 queries); returns the
    e-mails never tried yet."""
    now = timezone.now()
    waiting = Notification.objects.filter(email=Mode.IMMEDIATE, delivery__isnull=True)
    people = get_user_model().objects.filter(is_active=True).exclude(email="")
    found = waiting.filter(recipient__in=people).values_list(
        "pk", "recipient_id", "recipient__email"
    )
    EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(
                key=f"notice:{pk}",
                kind=EmailDelivery.Kind.NOTICE,
                recipient_id=uid,
                to=email,
                created_at=now,
            )
            for pk, uid, email in found
        ],
        ignore_conflicts=True,
    )
    waiting.filter(recipient__in=people).update(
        delivery=Subquery(
            EmailDelivery.objects.filter(
                key=Concat(Value("notice:"), Cast(OuterRef("pk"), CharField()))
            ).values("pk")[:1]
        )
    )
    return list(
        EmailDelivery.objects.filter(sent_at__isnull=True, attempts=0).values_list("pk", flat=True)
    )


def deliveries_to_retry() -> list[int]:
    """Every e-mail still unsent below its attempts' cap (the beat's `send_pending`): the
    web request that made a notice tries only the new ones, so an SMTP server that is down
    never makes a user wait for the older failures."""
    unsent = EmailDelivery.objects.filter(sent_at__isnull=True, attempts__lt=max_attempts())
    return list(unsent.values_list("pk", flat=True))


def max_attempts() -> int:
    return settings.NOTIFICATIONS_MAX_ATTEMPTS


# Sending -------------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """SMTP refused or could not be reached; the delivery keeps the error."""


def delivery_send(*, delivery_id: int) -> str:
    """Send one e-mail once: a conditional update claims it (two workers cannot both send
    it); returns "sent", "skipped" (sent already, or nothing left in it) or raises
    DeliveryFailed with the error stored on the row."""
    from . import emails

    delivery = EmailDelivery.objects.select_related("recipient").filter(pk=delivery_id).first()
    if delivery is None or delivery.sent_at is not None:
        return "skipped"
    claimed = EmailDelivery.objects.filter(
        pk=delivery.pk, sent_at__isnull=True, attempts=delivery.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    message = emails.delivery_message(delivery)
    if message is None:  # every notice in it was turned off meanwhile
        EmailDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now(), last_error="")
        return "skipped"
    try:
        message.send(fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"
        EmailDelivery.objects.filter(pk=delivery.pk).update(last_error=error[:2000])
        logger.warning("e-mail %s not sent: %s", delivery.pk, error)
        raise DeliveryFailed(error) from exc
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now(), last_error="", subject=message.subject[:300]
    )
    return "sent"
