"""Read models of the score-sheet pages (self-scoring, cross-scoring) and of the
verification pages (the grid members × criteria, the cross-scoring overview).

Each is built in a fixed number of queries, whatever the number of members and criteria;
who may see and write what comes from the policy (`pledges.rules.PledgeAccess`), asked by
the builders below, never by the templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Prefetch
from django.forms import BaseForm
from django.urls import reverse
from django.utils.formats import get_format

from blocs.models import Organization

from ..models import Criterion, Evidence, Pledge, Score, ScoreSheet
from ..rules import PledgeAccess

ZERO = Decimal("0")


# Sheet pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetPage:
    """Which sheet a page shows, and what the user may do with it."""

    pledge: Pledge
    organization: Organization
    round: str
    scorer: Organization | None
    can_write: bool
    with_evidence: bool
    url: str
    as_secretariat: bool = False
    # Cross-scoring: beside each row, what the member gave itself and its evidence, once its
    # self-scoring sheet is submitted (members may read submitted sheets, never drafts).
    with_own_scores: bool = False

    @property
    def sub(self) -> str:
        """The scoring sub-menu entry the page belongs to."""
        return "verify" if self.round == ScoreSheet.Round.CROSS else "self"

    @property
    def confirm_url(self) -> str:
        return self.url + ("&" if "?" in self.url else "?") + "confirm=1"


def self_sheet_page(pledge: Pledge, found: PledgeAccess, organization: Organization) -> SheetPage:
    """The self-scoring sheet of `organization` as `found`'s user sees it."""
    url = reverse("pledges:self_score", args=[pledge.pk])
    if not found.is_own(organization):
        url += f"?org={organization.pk}"
    return SheetPage(
        pledge=pledge,
        organization=organization,
        round=ScoreSheet.Round.SELF,
        scorer=None,
        can_write=found.acts_for(organization),
        with_evidence=True,
        url=url,
        as_secretariat=found.edits_as_secretariat(organization),
    )


def secretariat_sheet_page(pledge: Pledge, organization: Organization) -> SheetPage:
    """A member's self-scoring sheet as the secretariat opens it from the member list
    (`?org=`), e.g. to send it back; for a user the view has checked is the secretariat."""
    url = reverse("pledges:self_score", args=[pledge.pk]) + f"?org={organization.pk}"
    return SheetPage(
        pledge=pledge,
        organization=organization,
        round=ScoreSheet.Round.SELF,
        scorer=None,
        can_write=True,
        with_evidence=True,
        url=url,
        as_secretariat=True,
    )


def cross_sheet_page(pledge: Pledge, found: PledgeAccess, organization: Organization) -> SheetPage:
    """The user's organization's cross-scoring sheet of `organization`."""
    return SheetPage(
        pledge=pledge,
        organization=organization,
        round=ScoreSheet.Round.CROSS,
        scorer=found.org,
        can_write=True,
        with_evidence=False,
        url=reverse("pledges:cross_score", args=[pledge.pk, organization.pk]),
        with_own_scores=True,
    )


@dataclass(frozen=True)
class Totals:
    points: Decimal = ZERO
    bonus: Decimal = ZERO

    @property
    def all(self) -> Decimal:
        return self.points + self.bonus


def totals(scores: Iterable[Score]) -> Totals:
    scores = list(scores)
    return Totals(sum((s.points for s in scores), ZERO), sum((s.bonus for s in scores), ZERO))


@dataclass(frozen=True)
class SheetData:
    """What a sheet page shows besides its forms: the sheet, its scores (with evidence) by
    criterion id, the criteria, and for cross-scoring the member's submitted own sheet."""

    sheet: ScoreSheet | None
    criteria: list[Criterion]
    scores: dict[int, Score]
    own_sheet: ScoreSheet | None = None
    own_scores: dict[int, Score] = field(default_factory=dict)

    @property
    def total(self) -> Totals:
        return totals(self.scores.values())

    @property
    def submitted(self) -> bool:
        return self.sheet is not None and self.sheet.is_submitted


@dataclass(frozen=True)
class SheetControls:
    """What a sheet page offers, from the policy's answers on `SheetPage` and the state of
    the sheet and the year (`notice`: why nothing can be written now)."""

    writable: bool  # the grid's inputs and the Save / Submit buttons
    can_delete_evidence: bool
    can_send_back: bool


def sheet_controls(page: SheetPage, data: SheetData, notice: str) -> SheetControls:
    writable = page.can_write and not notice and not data.submitted
    return SheetControls(
        writable=writable,
        # The secretariat changes the evidence of a submitted sheet too (the service says
        # when not: a closed year).
        can_delete_evidence=writable or page.as_secretariat,
        can_send_back=page.as_secretariat
        and data.submitted
        and page.pledge.status == Pledge.Status.SCORING,
    )


def sheet_of(page: SheetPage) -> ScoreSheet | None:
    """The page's sheet, if it exists yet (1 query)."""
    return (
        ScoreSheet.objects.filter(
            pledge=page.pledge,
            organization=page.organization,
            round=page.round,
            scorer=page.scorer,
        )
        .select_related("submitted_by")
        .first()
    )


def sheet_scores(sheet: ScoreSheet | None, *, with_evidence: bool) -> dict[int, Score]:
    """The sheet's scores by criterion id (1 query; 2 with their evidence)."""
    if sheet is None:
        return {}
    scores = Score.objects.filter(sheet=sheet).select_related("updated_by").order_by()
    if with_evidence:
        scores = scores.prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at"))
        )
    return {score.criterion_id: score for score in scores}


def sheet_data(page: SheetPage) -> SheetData:
    """Everything a sheet page reads: 3 queries (4 with evidence), and 3 more beside a
    cross-scoring sheet for the member's submitted self-scores and their evidence."""
    sheet = sheet_of(page)
    criteria = list(page.pledge.criteria.all())
    scores = sheet_scores(sheet, with_evidence=page.with_evidence)
    if not page.with_own_scores:
        return SheetData(sheet, criteria, scores)
    own_sheet = ScoreSheet.objects.filter(
        pledge=page.pledge,
        organization=page.organization,
        round=ScoreSheet.Round.SELF,
        status=ScoreSheet.Status.SUBMITTED,
    ).first()
    own_scores = sheet_scores(own_sheet, with_evidence=True)
    return SheetData(sheet, criteria, scores, own_sheet, own_scores)


# Verification grid ------------------------------------------------------------------------


class Value(NamedTuple):
    points: Decimal
    bonus: Decimal
    version: int


def compact_number(value: object, separator: str) -> str:
    """A compact number for the grid (12,5; 15): thousands of cells, no template filter."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", separator)


class Cell(NamedTuple):
    """One member × criterion cell, its values already written out as text: the template
    unpacks it in its loop (`{% for name, code, ... in row.cells %}`), which keeps the
    2,400 cells of a 60 × 40 grid cheap to render (no attribute lookups, no number
    formatting per cell)."""

    name: str  # the inputs' prefix, "c<criterion id>"
    code: str
    has_bonus: bool
    points: str = ""  # what the input shows (the verified value, else the submitted own)
    bonus: str = ""
    version: str = "0"
    verified: str = ""  # shown, bold, when the row cannot be edited
    own: str = ""  # the submitted self-score, e.g. "12,5+1"
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class MemberRow:
    organization: Organization
    self_sheet: ScoreSheet | None
    cells: tuple[Cell, ...]
    self_total: Decimal
    verified_total: Decimal
    editable: bool
    link: str
    reason: str = ""
    errors: tuple[str, ...] = ()

    @property
    def submitted(self) -> bool:
        return self.self_sheet is not None and self.self_sheet.is_submitted

    @property
    def has_errors(self) -> bool:
        """The row came back refused: its own errors or its cells'."""
        return bool(self.errors) or any(cell.errors for cell in self.cells)

    @property
    def label(self) -> str:
        return self.organization.short_name or self.organization.name

    @property
    def form_id(self) -> str:
        return f"v{self.organization.pk}"


@dataclass(frozen=True)
class VerifyGrid:
    leaves: list[Criterion]
    rows: tuple[MemberRow, ...]
    notice: str

    @property
    def any_editable(self) -> bool:
        return any(row.editable for row in self.rows)

    def row_of(self, organization: Organization) -> MemberRow:
        return next(r for r in self.rows if r.organization.pk == organization.pk)


# Sheets by (member id, round); score values by (sheet id, criterion id); the grid's plan:
# (leaf, its id, the inputs' prefix, whether it takes a bonus) per leaf.
SheetsByRound = dict[tuple[int, str], ScoreSheet]
ValuesByCell = dict[tuple[int, int], Value]
Plan = list[tuple[Criterion, int, str, bool]]


def verify_grid(
    pledge: Pledge, members: Iterable[Organization], leaves: list[Criterion], *, notice: str
) -> VerifyGrid:
    """The grid in 2 queries (sheets, scores) whatever the number of members and criteria.
    A row is editable once the member's self sheet is submitted, unless `notice` says
    why nothing can be written."""
    sheets, scores = _verify_values(pledge)
    plan = [(leaf, leaf.pk, f"c{leaf.pk}", bool(leaf.bonus_cap)) for leaf in leaves]
    sheet_url = reverse("pledges:self_score", args=[pledge.pk])
    separator = get_format("DECIMAL_SEPARATOR")
    rows = tuple(
        _member_row(org, sheets, scores, plan, notice, f"{sheet_url}?org={org.pk}", separator)
        for org in members
    )
    return VerifyGrid(leaves, rows, notice)


def _verify_values(pledge: Pledge) -> tuple[SheetsByRound, ValuesByCell]:
    """The self and verified sheets by (member, round); their scores by (sheet, criterion)."""
    rounds = [ScoreSheet.Round.SELF, ScoreSheet.Round.VERIFIED]
    sheets = {
        (s.organization_id, s.round): s
        for s in ScoreSheet.objects.filter(pledge=pledge, round__in=rounds).order_by()
    }
    # Plain tuples, not model instances: thousands of cells.
    # Unordered: Score's default ordering joins four tables to sort rows read into a dict.
    values = (
        Score.objects.filter(sheet__pledge=pledge, sheet__round__in=rounds)
        .order_by()
        .values_list("sheet_id", "criterion_id", "points", "bonus", "version")
    )
    scores = {
        (sheet_id, criterion_id): Value(points, bonus, version)
        for sheet_id, criterion_id, points, bonus, version in values
    }
    return sheets, scores


def _member_row(
    org: Organization,
    sheets: SheetsByRound,
    scores: ValuesByCell,
    plan: Plan,
    notice: str,
    link: str,
    sep: str,
) -> MemberRow:
    """A member's cells: the verified value where there is one, else its submitted own."""
    own = sheets.get((org.pk, ScoreSheet.Round.SELF))
    verified = sheets.get((org.pk, ScoreSheet.Round.VERIFIED))
    own_id = own.pk if own is not None and own.is_submitted else None
    verified_id = verified.pk if verified is not None else None
    cells: list[Cell] = []
    self_sum: list[Decimal] = []
    verified_sum: list[Decimal] = []
    for leaf, leaf_id, name, has_bonus in plan:
        mine = scores.get((own_id, leaf_id)) if own_id else None
        checked = scores.get((verified_id, leaf_id)) if verified_id else None
        shown = checked or mine
        own_text = ""
        if mine is not None:
            extra = f"+{compact_number(mine.bonus, sep)}" if mine.bonus else ""
            own_text = compact_number(mine.points, sep) + extra
            self_sum += (mine.points, mine.bonus)
        if shown is None:
            cells.append(Cell(name, leaf.code, has_bonus, own=own_text))
            continue
        verified_sum += (shown.points, shown.bonus)
        cells.append(
            Cell(
                name,
                leaf.code,
                has_bonus,
                points=compact_number(shown.points, sep),
                bonus=compact_number(shown.bonus, sep) if has_bonus else "",
                version=str(checked.version) if checked else "0",
                verified=compact_number(checked.points, sep) if checked else "",
                own=own_text,
            )
        )
    return MemberRow(
        organization=org,
        self_sheet=own,
        cells=tuple(cells),
        self_total=sum(self_sum, ZERO),
        verified_total=sum(verified_sum, ZERO),
        editable=own_id is not None and not notice,
        link=link,
    )


def with_typed(
    row: MemberRow,
    forms: Iterable[BaseForm],
    *,
    reason: str,
    errors: list[str],
    cell_errors: dict[str, list[str]] | None = None,
    versions: dict[str, str] | None = None,
) -> MemberRow:
    """The row as it was posted: its cells show what was typed, with their errors (the
    form's, and the service's by criterion code); `versions` replaces the posted version
    of cells saved meanwhile by someone else."""
    cell_errors, versions = cell_errors or {}, versions or {}
    cells: list[Cell] = []
    for cell, form in zip(row.cells, forms, strict=True):
        # An ErrorList yields its messages as str (the stubs say ValidationError | str).
        own = [str(e) for field_errors in form.errors.values() for e in field_errors]
        cells.append(
            cell._replace(
                points=form.data.get(form.add_prefix("points"), ""),
                bonus=form.data.get(form.add_prefix("bonus"), ""),
                version=versions.get(cell.code)
                or str(form.data.get(form.add_prefix("version"), cell.version)),
                errors=tuple(own + cell_errors.get(cell.code, [])),
            )
        )
    if not errors and not any(cell.errors for cell in cells) and cell_errors:
        errors = [m for messages in cell_errors.values() for m in messages]
    return replace(row, cells=tuple(cells), reason=reason, errors=tuple(errors))


def replace_row(grid: VerifyGrid, row: MemberRow) -> VerifyGrid:
    rows = tuple(row if r.organization.pk == row.organization.pk else r for r in grid.rows)
    return replace(grid, rows=rows)


# Cross-scoring overview -------------------------------------------------------------------


@dataclass(frozen=True)
class CrossCell:
    scorer: Organization
    sheet: ScoreSheet | None
    self: bool
    total: Decimal | None


@dataclass(frozen=True)
class CrossRow:
    organization: Organization
    cells: tuple[CrossCell, ...]


@dataclass(frozen=True)
class ToScore:
    organization: Organization
    sheet: ScoreSheet | None


@dataclass(frozen=True)
class CrossOverview:
    members: list[Organization]
    scorer: Organization | None
    matrix: tuple[CrossRow, ...] | None  # the secretariat's only
    mine: tuple[ToScore, ...]


def cross_overview(
    pledge: Pledge, members: list[Organization], found: PledgeAccess
) -> CrossOverview:
    """The secretariat's matrix of every cross sheet (with totals) and the user's own
    sheets to fill in: 1 query, 2 for the secretariat."""
    scorer = found.org
    sheets = ScoreSheet.objects.filter(pledge=pledge, round=ScoreSheet.Round.CROSS)
    if not found.secretariat:
        sheets = sheets.filter(scorer=scorer)
    by_pair = {(s.organization_id, s.scorer_id): s for s in sheets}
    matrix = _cross_matrix(pledge, members, by_pair) if found.secretariat else None
    mine: tuple[ToScore, ...] = ()
    if scorer is not None:
        mine = tuple(
            ToScore(org, by_pair.get((org.pk, scorer.pk))) for org in members if org.pk != scorer.pk
        )
    return CrossOverview(members, scorer, matrix, mine)


def _cross_matrix(
    pledge: Pledge,
    members: list[Organization],
    by_pair: dict[tuple[int, int | None], ScoreSheet],
) -> tuple[CrossRow, ...]:
    totals_by_sheet: dict[int, Decimal] = {}
    for score in (
        Score.objects.filter(sheet__pledge=pledge, sheet__round=ScoreSheet.Round.CROSS)
        .only("sheet_id", "points", "bonus")
        .order_by()
    ):
        before = totals_by_sheet.get(score.sheet_id, ZERO)
        totals_by_sheet[score.sheet_id] = before + score.points + score.bonus
    rows: list[CrossRow] = []
    for org in members:
        cells: list[CrossCell] = []
        for other in members:
            sheet = by_pair.get((org.pk, other.pk))
            total = totals_by_sheet.get(sheet.pk) if sheet is not None else None
            cells.append(CrossCell(other, sheet, other == org, total))
        rows.append(CrossRow(org, tuple(cells)))
    return tuple(rows)
