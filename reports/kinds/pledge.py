"""The emulation pledge (giao ước thi đua): its contents, criteria and a signature cell for
every member. It prints no narrative of its own."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, Meeting, Organization
from blocs.selectors import members_in
from pledges.models import Criterion, Pledge, PledgeSignature

from ..formats import dec, short_date, vn_number
from . import common
from .registry import Data, DocumentKind

if TYPE_CHECKING:
    from reports.models import ReportDraft

SIGNATURES_PER_ROW = 3


def gather(draft: ReportDraft) -> Data:
    pledge = common.pledge_of(draft)
    members = members_in(draft.bloc, draft.year)
    data: Data = {
        "members": [common.org(o) for o in members],
        "pledge": common.pledge_data(pledge),
        "legal_basis": common.legal_basis(pledge),
        "criteria": [],
        "signatures": [],
    }
    if pledge is None:
        data["signatures"] = [_signature_cell(o, None) for o in members]
        return data
    criteria = list(Criterion.objects.filter(pledge=pledge).order_by("order", "code"))
    data["criteria"] = _criteria_rows(criteria)
    signed = {s.organization_id: s for s in pledge.signatures.all()}
    data["signatures"] = [_signature_cell(o, signed.get(o.pk)) for o in members]
    return data


def _criteria_rows(criteria: list[Criterion]) -> list[Data]:
    children: dict[int | None, list[Criterion]] = {}
    for c in criteria:
        children.setdefault(c.parent_id, []).append(c)
    rows: list[Data] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for c in children.get(parent_id, []):
            rows.append(
                {
                    "code": c.code,
                    "text": c.text,
                    "max": dec(c.max_points),
                    "bonus_cap": dec(c.bonus_cap) if c.bonus_cap else "",
                    "depth": depth,
                }
            )
            walk(c.pk, depth + 1)

    walk(None, 0)
    return rows


def _signature_cell(organization: Organization, signature: PledgeSignature | None) -> Data:
    return {
        "name": organization.name,
        "signer": signature.signer_name if signature else "",
        "position": signature.signer_position if signature else "",
        "signed_on": short_date(signature.signed_at) if signature else "",
    }


def summary(data: Data) -> list[str]:
    title = (data.get("pledge") or {}).get("title", "")
    if title and not title.lower().startswith("giao ước"):
        return [title]
    return [f"{data['bloc']['name']} năm {data['year']}"]


def present(data: Data) -> Data:
    signatures = data.get("signatures", [])
    per_row = SIGNATURES_PER_ROW
    return {
        "criteria": [
            {**c, "max_vn": vn_number(c["max"]), "bonus_cap_vn": vn_number(c["bonus_cap"])}
            for c in data.get("criteria", [])
        ],
        "signature_rows": [
            signatures[i : i + per_row] + [None] * (per_row - len(signatures[i : i + per_row]))
            for i in range(0, len(signatures), per_row)
        ],
    }


def document_day(bloc: Bloc, year: int, meeting: Meeting | None) -> date | None:
    """A pledge is dated the day it was (last) signed, or of its launch meeting."""
    pledge = Pledge.objects.filter(bloc=bloc, year=year).select_related("launch_meeting").first()
    if pledge is None:
        return None
    signed = pledge.signatures.aggregate(last=Max("signed_at"))["last"]
    launch = pledge.launch_meeting
    when = signed or (launch.starts_at if launch else None)
    return timezone.localtime(when).date() if when else None


KIND = DocumentKind(
    code="pledge",
    label=_("Emulation pledge"),
    order=40,
    type_code="GƯ",
    doc_type="GIAO ƯỚC THI ĐUA",
    template="reports/pdf/pledge.html",
    gather=gather,
    summary=summary,
    defaults=common.chair_signs,
    document_day=document_day,
    present=present,
)
