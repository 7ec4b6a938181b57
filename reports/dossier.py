"""The commendation dossier a bloc sends to the emulation council for a year (domain.md §1.8):
the memo (tờ trình), the list of proposals, the minutes of the evaluation meeting, and the
achievement report of each proposed unit, each with its state (not started, being written,
issued with its number and date). The dossier is `complete` when the bloc proposes someone
and every part is issued.

`dossier_for(bloc, year)` answers for one bloc, `dossiers_for(blocs, year)` for many (the
council's page) in the same fixed number of queries (3) whatever the number of blocs and
units. `dossier_prepare` starts the drafts the secretariat writes and those of the units
(which the units' officials then write, reports/rules.py); `dossier_files` and
`stream_zip` make the whole dossier one archive, each file named by its number.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q

from blocs.models import Bloc, Meeting, Organization
from pledges.models import Proposal
from portal.lib.types import Actor

from . import services
from .models import Report, ReportDraft

MEMO, LIST, MINUTES, ACHIEVEMENT = "proposal_memo", "proposal_list", "minutes", "achievement"
# The parts in the dossier's order (and the archive's).
ORDER = (MEMO, LIST, MINUTES, ACHIEVEMENT)
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Part:
    """One document of the dossier: `draft` is None while nobody has started it."""

    kind: str
    draft: ReportDraft | None
    subject: Organization | None = None
    meeting: Meeting | None = None

    @property
    def issued(self) -> bool:
        return self.draft is not None and self.draft.is_issued

    @property
    def symbol(self) -> str:
        return self.draft.symbol if self.issued and self.draft else ""

    @property
    def issue_date(self) -> date | None:
        return self.draft.issue_date if self.issued and self.draft else None


@dataclass(frozen=True)
class Dossier:
    bloc: Bloc
    year: int
    parts: tuple[Part, ...] = field(default_factory=tuple)
    proposed: int = 0  # proposals of the year

    @property
    def complete(self) -> bool:
        return self.proposed > 0 and all(part.issued for part in self.parts)

    @property
    def issued_count(self) -> int:
        return sum(1 for part in self.parts if part.issued)


def _in_force(drafts: list[ReportDraft]) -> ReportDraft | None:
    """The issued one in force, else the one being written (a replaced one never)."""
    issued = [d for d in drafts if d.status == ReportDraft.Status.ISSUED]
    if issued:
        return max(issued, key=lambda d: (d.issued_at or d.updated_at, d.pk))
    open_ = [d for d in drafts if d.status == ReportDraft.Status.DRAFT]
    return open_[0] if open_ else None


def dossiers_for(blocs: Iterable[Bloc], year: int) -> dict[int, Dossier]:
    """{bloc id: its dossier of `year`}, in 3 queries however many blocs."""
    blocs = list(blocs)
    ids = [b.pk for b in blocs]
    proposals = (
        Proposal.objects.filter(pledge__bloc_id__in=ids, pledge__year=year)
        .select_related("organization", "pledge")
        .order_by("organization__sort_name")
    )
    units: dict[int, dict[int, Organization]] = {}
    counts: dict[int, int] = {}
    for p in proposals:
        units.setdefault(p.pledge.bloc_id, {}).setdefault(p.organization_id, p.organization)
        counts[p.pledge.bloc_id] = counts.get(p.pledge.bloc_id, 0) + 1
    meetings: dict[int, Meeting] = {}
    for m in Meeting.objects.filter(
        bloc_id__in=ids, year=year, kind=Meeting.Kind.YEAR_END
    ).order_by("starts_at"):
        meetings[m.bloc_id] = m  # the last review of the year
    drafts = ReportDraft.objects.filter(bloc_id__in=ids, year=year).filter(
        Q(kind__in=[MEMO, LIST, ACHIEVEMENT]) | Q(kind=MINUTES, meeting__kind=Meeting.Kind.YEAR_END)
    )
    found: dict[tuple[int, str, int | None], list[ReportDraft]] = {}
    for d in drafts.exclude(status=ReportDraft.Status.REPLACED).order_by("pk"):
        key = d.subject_id if d.kind == ACHIEVEMENT else d.meeting_id if d.kind == MINUTES else None
        found.setdefault((d.bloc_id, d.kind, key), []).append(d)

    out = {}
    for bloc in blocs:
        meeting = meetings.get(bloc.pk)
        parts = [
            Part(MEMO, _in_force(found.get((bloc.pk, MEMO, None), []))),
            Part(LIST, _in_force(found.get((bloc.pk, LIST, None), []))),
            Part(
                MINUTES,
                _in_force(found.get((bloc.pk, MINUTES, meeting.pk), [])) if meeting else None,
                meeting=meeting,
            ),
        ]
        for org_id, organization in units.get(bloc.pk, {}).items():
            draft = _in_force(found.get((bloc.pk, ACHIEVEMENT, org_id), []))
            parts.append(Part(ACHIEVEMENT, draft, subject=organization))
        out[bloc.pk] = Dossier(bloc, year, tuple(parts), counts.get(bloc.pk, 0))
    return out


def dossier_for(bloc: Bloc, year: int) -> Dossier:
    return dossiers_for([bloc], year)[bloc.pk]


@transaction.atomic
def dossier_prepare(*, bloc: Bloc, year: int, actor: Actor = None) -> Dossier:
    """Start every part not started yet: the memo, the list, the minutes of the review
    meeting (when there is one) and the achievement report of each proposed unit. The
    secretariat does it (`services.draft_get_or_create` asks the policy)."""
    dossier = dossier_for(bloc, year)
    for part in dossier.parts:
        if part.draft is not None or (part.kind == MINUTES and part.meeting is None):
            continue
        services.draft_get_or_create(
            bloc=bloc,
            year=year,
            kind=part.kind,
            meeting=part.meeting,
            subject=part.subject,
            actor=actor,
        )
    return dossier_for(bloc, year)


# The archive ---------------------------------------------------------------------------------


def file_name(draft: ReportDraft, suffix: str = "pdf") -> str:
    """A part's name in the archive: its number and symbol, e.g. “01-TTr-HLHPN.pdf”."""
    return f"{draft.symbol.replace('/', '-')}.{suffix}"


DossierFile = tuple[str, object, date | None]  # name, stored file, the day it was issued


def dossier_files(dossier: Dossier) -> list[DossierFile]:
    """(name, file) of every issued part, in the dossier's order: the signed scan when
    there is one, else the issued PDF (and the list's spreadsheet). 1 query."""
    issued = [part.draft for part in dossier.parts if part.issued and part.draft]
    builds = {
        r.draft_id: r
        for r in Report.objects.filter(draft__in=issued, issued=True, status=Report.Status.READY)
    }
    files: list[DossierFile] = []
    taken: set[str] = set()

    def add(name: str, file: object, day: date | None) -> None:
        stem, _dot, suffix = name.rpartition(".")
        unique, n = name, 2
        while unique in taken:  # two issuers with the same abbreviation: never overwrite
            unique, n = f"{stem}-{n}.{suffix}", n + 1
        taken.add(unique)
        files.append((unique, file, day))

    for draft in issued:
        build = builds.get(draft.pk)
        day = draft.issue_date
        if draft.scan:
            add(file_name(draft), draft.scan, day)
        elif build is not None and build.pdf:
            add(file_name(draft), build.pdf, day)
        if build is not None and build.xlsx:
            add(file_name(draft, "xlsx"), build.xlsx, day)
    return files


class _Sink(io.RawIOBase):
    """A write-only stream that hands what was written to the response, chunk by chunk."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        self._chunks.append(bytes(b))
        return len(b)

    def drain(self) -> bytes:
        out = b"".join(self._chunks)
        self._chunks.clear()
        return out


def stream_zip(files: list[DossierFile]) -> Iterator[bytes]:
    """The archive of `files`, written as it is read: never whole in memory (the files are
    PDFs, already compressed: stored as they are), each dated the day it was issued."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, stored, day in files:
            info = zipfile.ZipInfo(name, date_time=(day or date(1980, 1, 1)).timetuple()[:6])
            with stored.open("rb") as source, archive.open(info, "w") as target:  # type: ignore[attr-defined]
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.drain()
            yield sink.drain()
    yield sink.drain()
