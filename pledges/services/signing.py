"""The members' signatures: signing online or recorded at the launch meeting, and
withdrawing a signature while the pledge is open for signing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Meeting, Organization
from portal.lib.history import stamp
from portal.lib.types import Actor

from ..models import Pledge, PledgeSignature
from ..rules import check_acts_for
from .year import _check_meeting, _check_member, _lock, _status_label, check_writable

__all__ = [
    "ALREADY_SIGNED",
    "SIGNATURE_LOCKED",
    "SIGNER_REQUIRED",
    "SIGNING_NOT_OPEN",
    "pledge_sign",
    "signature_delete",
]

SIGNING_NOT_OPEN = _(
    "The pledge can be signed only while it is open for signing; it is “%(status)s”."
)
ALREADY_SIGNED = _("%(organization)s has already signed the %(year)s pledge.")
SIGNER_REQUIRED = _("Give the name and the position of the person who signs.")
SIGNATURE_LOCKED = _(
    "A signature can be removed only while the pledge is open for signing; it is “%(status)s”."
)


@transaction.atomic
def pledge_sign(
    *,
    pledge: Pledge,
    organization: Organization,
    signer_name: str,
    signer_position: str,
    signed_at: datetime.datetime | None = None,
    meeting: Meeting | None = None,
    actor: Actor = None,
) -> PledgeSignature:
    """A member organization signs the pledge (online, or recorded at the launch meeting)."""
    pledge = _lock(pledge)
    check_acts_for(actor, pledge, organization)
    check_writable(pledge)
    if pledge.status != Pledge.Status.OPEN:
        raise ValidationError(
            SIGNING_NOT_OPEN % {"status": _status_label(pledge.status)}, code="not_open"
        )
    _check_member(pledge, organization)
    params = {"organization": organization, "year": pledge.year}
    if PledgeSignature.objects.filter(pledge=pledge, organization=organization).exists():
        raise ValidationError(ALREADY_SIGNED % params, code="already_signed")
    signer_name, signer_position = (signer_name or "").strip(), (signer_position or "").strip()
    if not signer_name or not signer_position:
        raise ValidationError(SIGNER_REQUIRED, code="signer")
    _check_meeting(meeting, pledge.bloc, pledge.year, "meeting")
    signature = PledgeSignature(
        pledge=pledge,
        organization=organization,
        signer_name=signer_name,
        signer_position=signer_position,
        signed_at=signed_at or timezone.now(),
        meeting=meeting,
        recorded_by=actor,
    )
    signature.full_clean(
        exclude=["pledge", "organization", "meeting", "recorded_by"], validate_constraints=False
    )
    stamp(signature, actor)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError as exc:  # signed meanwhile in another request
        raise ValidationError(ALREADY_SIGNED % params, code="already_signed") from exc
    return signature


@transaction.atomic
def signature_delete(*, signature: PledgeSignature, actor: Actor = None) -> None:
    """Withdraw a signature (e.g. recorded for the wrong organization) while still open."""
    pledge = _lock(signature.pledge)
    check_acts_for(actor, pledge, signature.organization)
    check_writable(pledge)
    if pledge.status != Pledge.Status.OPEN:
        raise ValidationError(
            SIGNATURE_LOCKED % {"status": _status_label(pledge.status)}, code="signature_locked"
        )
    stamp(signature, actor)
    signature.delete()
