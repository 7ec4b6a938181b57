"""The criteria tree as rows, in reading order: what the criteria editor, the pledge page and
the scoring grids show."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar, overload

from ..models import Criterion


@dataclass
class CriterionRow:
    """One node of the criteria tree in reading order, with its depth (0 for a group)."""

    criterion: Criterion
    depth: int
    children_total: Decimal | None = None  # Σ of the children's max points; None for a leaf

    @property
    def is_leaf(self) -> bool:
        return self.children_total is None

    @property
    def over(self) -> bool:
        return self.children_total is not None and self.children_total > self.criterion.max_points


RowT = TypeVar("RowT", bound=CriterionRow)


@overload
def criteria_rows(criteria: list[Criterion]) -> list[CriterionRow]: ...
@overload
def criteria_rows(criteria: list[Criterion], row_class: type[RowT]) -> list[RowT]: ...
def criteria_rows(
    criteria: list[Criterion], row_class: type[CriterionRow] = CriterionRow
) -> list[Any]:
    """The tree in reading order (each node followed by its children, by order and code).
    A node whose parent is not in the list is shown at the top level."""
    ids = {c.pk for c in criteria}
    children: dict[int | None, list[Criterion]] = {}
    for node in sorted(criteria, key=lambda c: (c.order, c.code)):
        parent = node.parent_id if node.parent_id in ids else None
        children.setdefault(parent, []).append(node)
    rows: list[Any] = []

    def walk(parent: int | None, depth: int) -> None:
        for node in children.get(parent, []):
            kids = children.get(node.pk)
            total = sum((k.max_points for k in kids), Decimal(0)) if kids else None
            rows.append(row_class(node, depth, total))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return rows


def groups_total(rows: list[CriterionRow]) -> Decimal:
    """The points of the whole tree: the sum of its top-level groups."""
    return sum((r.criterion.max_points for r in rows if r.depth == 0), Decimal(0))
