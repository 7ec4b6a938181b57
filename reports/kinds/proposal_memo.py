"""The memo proposing the year's commendations (tờ trình đề nghị khen thưởng): from the
bloc's chair to the emulation council of the body that organizes the bloc, with its legal
basis, the minutes of the evaluation meeting it rests on, the ballots, and the proposals
per title with the bloc's quota for each. The first document of the dossier (domain.md
§1.8; reports/dossier.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, ChairTerm

from . import _proposals, common
from .registry import Data, DocumentKind, DraftDefaults, Section

if TYPE_CHECKING:
    from reports.models import ReportDraft


def gather(draft: ReportDraft) -> Data:
    from pledges.ranking import compute_results
    from pledges.services.ballots import ballots_with_outcomes, leading_organizations

    pledge = common.pledge_of(draft, with_items=False)
    bloc = draft.bloc
    minutes = _proposals.minutes_reference(bloc, draft.year)
    data: Data = {
        "legal_basis": _legal_basis(bloc, minutes),
        "minutes": minutes,
        "members_total": len(common.members(bloc, draft.year)),
        "ballots": [],
        "proposals": [],
        "quotas": [],
    }
    if pledge is None:
        return data
    with translation.override("vi"):
        results = compute_results(pledge)
    data["ballots"] = common.ballots(pledge)
    leading = len(leading_organizations(pledge, ballots_with_outcomes(pledge)))
    found = _proposals.proposals(pledge, results, data["ballots"])
    data["proposals"] = found
    data["quotas"] = _proposals.quota_checks(
        pledge, found, members=data["members_total"], leading=leading
    )
    return data


def _legal_basis(bloc: Bloc, minutes: Data) -> list[str]:
    """The law and decree, then the minutes the proposals were voted in (its number once
    issued). Written as ND 30 writes them: each line ends with “;”, the last with “.”."""
    from ..formats import legal_basis_lines

    found = list(_proposals.LEGAL_BASIS)
    if minutes.get("symbol"):
        found.append(
            f"Căn cứ Biên bản họp bình xét số {minutes['symbol']} ngày {minutes['issue_date']} "
            f"của {bloc.name}"
        )
    elif minutes:
        found.append(f"Căn cứ kết quả bình xét tại {minutes['title']} ngày {minutes['date']}")
    return legal_basis_lines("\n".join(found))


def summary(data: Data) -> list[str]:
    year, bloc = data["year"], data["bloc"]["name"]
    return [f"Về việc đề nghị khen thưởng năm {year}", f"cho các tập thể thuộc {bloc}"]


def defaults(bloc: Bloc, term: ChairTerm | None) -> DraftDefaults:
    """The chair signs on behalf of the bloc; sent to the council (“Như trên”)."""
    signer = common.chair_signs(bloc, term)
    return DraftDefaults(
        issuer=signer.issuer,
        sign_mode=signer.sign_mode,
        signer_position=signer.signer_position,
        signer_name=signer.signer_name,
        recipients="- Như trên;\n- Các đơn vị được đề nghị;\n- Lưu: VT.",
    )


def present(data: Data) -> Data:
    from ..formats import vn_number

    return {
        "ballots": common.present_ballots(data),
        "quotas": data.get("quotas", []),
        "proposals": [
            {**p, "total_vn": vn_number(p["total"]) if p["total"] else ""}
            for p in data.get("proposals", [])
        ],
        "over_quota": [q for q in data.get("quotas", []) if not q["within"]],
    }


KIND = DocumentKind(
    code="proposal_memo",
    label=_("Commendation proposal memo"),
    order=50,
    type_code="TTr",
    doc_type="TỜ TRÌNH",
    template="reports/pdf/proposal_memo.html",
    sections=(
        Section(
            "situation",
            _("the year's movement in brief"),
            4,
            _("Printed first, before the ballots and the proposals, which come from the data."),
        ),
        Section(
            "recommendations",
            _("request to the council"),
            3,
            _("Printed after the proposals; left out when empty."),
        ),
    ),
    gather=gather,
    summary=summary,
    defaults=defaults,
    needs_signer=True,
    sent_to_superior=True,
    addressed_to=_proposals.council_of,
    present=present,
)
