"""The registry of document kinds: everything about a kind of document, in one place.

A kind (the year-end report, the minutes of a meeting, …) is one module of this package
that defines `KIND = DocumentKind(...)`; the registry finds the modules by itself, so
adding a kind is that module, its template in templates/reports/pdf/ and its tests. The
model's choices, the editor's sections, the document number's type code, a new draft's
defaults and the build pipeline (reports/documents.py) all read it from here.

What a kind's `gather` returns is the document's facts from the database (members,
meetings, scores, …): plain JSON data, a function of the draft's bloc, year and meeting
only, never of the text being typed, so the live preview can keep it while the data is
unchanged. Kind modules import no model of this app at import time: the registry is read
while `reports.models` is being imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from blocs.models import Bloc, ChairTerm, Meeting, Organization
    from reports.models import ReportDraft

Data = dict[str, Any]
Label = str | Promise
# Modules of this package that are not kinds.
_NOT_KINDS = frozenset({"registry", "common"})


@dataclass(frozen=True)
class Section:
    """A narrative section of a kind: a text field of the draft that its document prints."""

    field: str  # a TextField of ReportDraft
    label: Label
    rows: int = 4
    help_text: Label = ""


@dataclass(frozen=True)
class DraftDefaults:
    """What a new draft of a kind starts with: who issues it and who signs it."""

    issuer: Organization | None
    sign_mode: str = ""
    signer_position: str = ""
    signer_name: str = ""  # family name first, from the organization's head when known
    issuer_title: str = ""  # the header's issuer line ("" : the bloc's name)
    parent_body: str | None = None  # the line above it (None: the bloc's organizing body)
    recipients: str | None = None  # "Nơi nhận" (None: the bloc's usual recipients)


def no_fixed_day(bloc: Bloc, year: int, meeting: Meeting | None) -> date | None:
    """A document dated the day its first PDF is requested."""
    return None


def nothing(data: Data) -> Data:
    return {}


@dataclass(frozen=True)
class DocumentKind:
    """Everything about one kind of document."""

    code: str  # the value stored in ReportDraft.kind
    label: Label  # what people see in the choices
    type_code: str  # the type part of the symbol, e.g. BC in “05/BC-HLHPN” (ND 30, app. III)
    doc_type: str  # the document type printed above its title, e.g. “BÁO CÁO”
    template: str  # the template that lays it out, e.g. "reports/pdf/year_end.html"
    # The document's facts from the database (see the module docstring).
    gather: Callable[[ReportDraft], Data]
    # The title lines under the document type, from the whole data.
    summary: Callable[[Data], list[str]]
    # Who issues and signs a new draft, from the bloc and that year's chair term.
    defaults: Callable[[Bloc, ChairTerm | None], DraftDefaults]
    order: int = 100  # place in the choices
    sections: tuple[Section, ...] = ()
    needs_meeting: bool = False  # minutes: a draft per meeting, and only then
    has_spreadsheet: bool = False  # a score table (.xlsx) is built beside the PDF
    # Sent to a superior body (the council, the organizing body): printed with a "Kính gửi:"
    # line under the title (ND 30, Phụ lục I II.9.b).
    sent_to_superior: bool = False
    # Signed by one person under the signer block (its name comes from the draft): not
    # built without that name.
    needs_signer: bool = False
    # Whom "Kính gửi:" names, from the bloc (None: its organizing body, see
    # documents.addressees); read only when `sent_to_superior`.
    addressed_to: Callable[[Bloc], list[str]] | None = None
    # A kind about one unit of the bloc (its achievement report): a draft per unit
    # (ReportDraft.subject), issued by that unit and signed by its head; who writes it is
    # that unit's officials (reports.rules). The defaults of a new draft, from that unit.
    subject_defaults: Callable[[Bloc, Organization], DraftDefaults] | None = None
    # The spreadsheet built beside the PDF when `has_spreadsheet` (None: the score table).
    spreadsheet: Callable[[Data], bytes | None] | None = None
    # The day a new draft bears (None: the day its first PDF is requested).
    document_day: Callable[[Bloc, int, Meeting | None], date | None] = no_fixed_day
    # Keys the kind derives from the whole data (its header and signer block included).
    signing: Callable[[Data], Data] = nothing
    # What the template shows besides the data: formatted numbers, section numbers.
    present: Callable[[Data], Data] = nothing

    @property
    def has_subject(self) -> bool:
        return self.subject_defaults is not None

    @property
    def section_fields(self) -> tuple[str, ...]:
        return tuple(section.field for section in self.sections)


_kinds: dict[str, DocumentKind] = {}
_discovered = False


def _discover() -> None:
    """Register the KIND of every module of this package (once per process)."""
    global _discovered
    if _discovered:
        return
    package = importlib.import_module(__package__ or "reports.kinds")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name in _NOT_KINDS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, DocumentKind):
            raise TypeError(f"{module.__name__} defines no KIND = DocumentKind(...)")
        register(kind)
    _discovered = True


def register(kind: DocumentKind) -> DocumentKind:
    """Add a kind (the modules of this package are added by themselves)."""
    known = _kinds.get(kind.code)
    if known is not None and known is not kind:
        raise ValueError(f"two document kinds with the code {kind.code!r}")
    fields = kind.section_fields
    if len(set(fields)) != len(fields):
        raise ValueError(f"{kind.code}: a section is listed twice")
    _kinds[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    """Remove a kind (for tests that register one of their own)."""
    _kinds.pop(code, None)


def all_kinds() -> tuple[DocumentKind, ...]:
    _discover()
    return tuple(sorted(_kinds.values(), key=lambda kind: (kind.order, kind.code)))


def get_kind(code: str) -> DocumentKind:
    _discover()
    try:
        return _kinds[str(code)]
    except KeyError:
        raise ValueError(f"unknown document kind: {code}") from None


def kind_choices() -> list[tuple[str, Label]]:
    """The model's and the forms' choices (a callable: a kind added later shows up)."""
    return [(kind.code, kind.label) for kind in all_kinds()]
