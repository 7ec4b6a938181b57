"""The criteria tree: its pure checks (`check_criteria_tree`: codes unique, no cycle, at
most MAX_CRITERIA_DEPTH levels, Σ children ≤ parent) that forms and the admin call too, and
adding, changing and removing a criterion before the pledge is signed."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.lib.history import stamp
from portal.lib.types import Actor

from ..models import Criterion, Pledge
from ..rules import check_manages
from .year import (
    CAP_NEGATIVE,
    OPEN_NEEDS_CRITERIA,
    _check_criteria_editable,
    _decimal,
    _lock,
    _points,
)

__all__ = [
    "CHILDREN_OVER_PARENT",
    "CODE_REQUIRED",
    "CODE_TAKEN",
    "CRITERION_CYCLE",
    "CRITERION_FIELDS",
    "CRITERION_TOO_DEEP",
    "MAX_CRITERIA_DEPTH",
    "MAX_POINTS_INVALID",
    "PARENT_NOT_IN_PLEDGE",
    "check_criteria_tree",
    "criteria_depths",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
]

CHILDREN_OVER_PARENT = _(
    "The sub-criteria of %(code)s add up to %(total)s points, more than its %(max)s."
)
CRITERION_TOO_DEEP = _(
    "Criteria go at most %(depth)s levels deep (group, criterion, sub-criterion): %(code)s "
    "would be at level %(level)s."
)
CRITERION_CYCLE = _("%(code)s cannot be placed under itself or one of its own sub-criteria.")
CODE_TAKEN = _("Another criterion of this pledge already has the code %(code)s.")
CODE_REQUIRED = _("Every criterion needs a code (e.g. A, A1, A1.2).")
PARENT_NOT_IN_PLEDGE = _("The parent %(code)s belongs to another pledge.")
MAX_POINTS_INVALID = _("The max points of %(code)s must be a number of 0 or more.")

MAX_CRITERIA_DEPTH = 3
CRITERION_FIELDS = (
    "parent",
    "code",
    "text",
    "max_points",
    "bonus_cap",
    "evidence_required",
    "order",
)


def criteria_depths(parents: dict[Any, Any]) -> dict[Any, int]:
    """{key: level} (1 for a group) from {key: parent key}; a cycle raises ValueError."""
    depth: dict[Any, int] = {}

    def level(key: Hashable, seen: tuple[Hashable, ...] = ()) -> int:
        if key in depth:
            return depth[key]
        if key in seen:
            raise ValueError(key)
        parent = parents.get(key)
        result = 1 if parent is None or parent not in parents else level(parent, (*seen, key)) + 1
        depth[key] = result
        return result

    for key in parents:
        level(key)
    return depth


def check_criteria_tree(nodes: Iterable[dict[str, Any]]) -> None:
    """Check a whole criteria tree: codes unique, no cycle, at most MAX_CRITERIA_DEPTH
    levels, and the children of every node add up to no more than its max points.

    `nodes`: dicts with key (any hashable), parent (a key or None), code, max_points.
    Used by the services and by forms that edit several criteria at once.
    """
    nodes = list(nodes)
    codes: set[str] = set()
    for node in nodes:
        code = (node.get("code") or "").strip()
        if not code:
            raise ValidationError(CODE_REQUIRED, code="code")
        if code.casefold() in codes:
            raise ValidationError(CODE_TAKEN % {"code": code}, code="code_taken")
        codes.add(code.casefold())
        points = _decimal(node.get("max_points"))
        if points is None or points < 0:
            raise ValidationError(MAX_POINTS_INVALID % {"code": code}, code="max_points")
    by_key = {node["key"]: node for node in nodes}
    try:
        depth = criteria_depths({node["key"]: node.get("parent") for node in nodes})
    except ValueError as exc:
        raise ValidationError(
            CRITERION_CYCLE % {"code": by_key[exc.args[0]]["code"]}, code="cycle"
        ) from exc
    for node in nodes:
        if depth[node["key"]] > MAX_CRITERIA_DEPTH:
            raise ValidationError(
                CRITERION_TOO_DEEP
                % {"depth": MAX_CRITERIA_DEPTH, "code": node["code"], "level": depth[node["key"]]},
                code="too_deep",
            )
    totals: dict[Any, Any] = {}
    for node in nodes:
        if node.get("parent") is not None:
            totals[node["parent"]] = totals.get(node["parent"], Decimal(0)) + _decimal(
                node["max_points"]
            )
    for key, total in totals.items():
        parent = by_key.get(key)
        if parent is not None and total > _decimal(parent["max_points"]):
            raise ValidationError(
                CHILDREN_OVER_PARENT
                % {
                    "code": parent["code"],
                    "total": _points(total),
                    "max": _points(parent["max_points"]),
                },
                code="children_over_parent",
            )


def _tree(pledge: Pledge, exclude_pk: int | None = None) -> list[dict[str, Any]]:
    criteria = Criterion.objects.filter(pledge=pledge)
    if exclude_pk is not None:  # excluding pk=None would leave every row anyway
        criteria = criteria.exclude(pk=exclude_pk)
    return [
        {"key": c.pk, "parent": c.parent_id, "code": c.code, "max_points": c.max_points}
        for c in criteria
    ]


def _check_in_tree(pledge: Pledge, node: dict[str, Any], exclude_pk: int | None = None) -> None:
    """Check the tree as it would be with `node` added (or replacing `exclude_pk`)."""
    check_criteria_tree([*_tree(pledge, exclude_pk), node])


def _check_criterion_fields(pledge: Pledge, criterion: Criterion) -> None:
    code = criterion.code or "?"
    parent = criterion.parent if criterion.parent_id is not None else None
    if parent is not None and parent.pledge_id != pledge.pk:
        raise ValidationError(
            {"parent": PARENT_NOT_IN_PLEDGE % {"code": parent.code}}, code="parent"
        )
    if (points := _decimal(criterion.max_points)) is None or points < 0:
        raise ValidationError({"max_points": MAX_POINTS_INVALID % {"code": code}}, code="points")
    if criterion.bonus_cap not in (None, "") and (
        (cap := _decimal(criterion.bonus_cap)) is None or cap < 0
    ):
        raise ValidationError(
            {"bonus_cap": CAP_NEGATIVE % {"value": criterion.bonus_cap}}, code="cap"
        )


@transaction.atomic
def criterion_create(
    *,
    pledge: Pledge,
    parent: Criterion | None = None,
    code: str,
    text: str,
    max_points: Decimal | int | float | str,
    bonus_cap: Decimal | int | float | str | None = None,
    evidence_required: bool = False,
    order: int = 0,
    actor: Actor = None,
) -> Criterion:
    """Add a criterion (under `parent`, or a group when None); the children of the parent
    may not add up to more than its max points."""
    pledge = _lock(pledge)
    check_manages(actor, pledge)
    _check_criteria_editable(pledge)
    criterion = Criterion(
        pledge=pledge,
        parent=parent,
        code=(code or "").strip(),
        text=(text or "").strip(),
        max_points=_decimal(max_points) if _decimal(max_points) is not None else max_points,
        bonus_cap=_decimal(bonus_cap),
        evidence_required=evidence_required,
        order=order or 0,
    )
    _check_criterion_fields(pledge, criterion)
    _check_in_tree(
        pledge,
        {
            "key": "new",
            "parent": criterion.parent_id,
            "code": criterion.code,
            "max_points": criterion.max_points,
        },
    )
    criterion.full_clean(exclude=["pledge", "parent"], validate_constraints=False)
    stamp(criterion, actor)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, actor: Actor = None, **fields: Any) -> Criterion:
    """Change a criterion's CRITERION_FIELDS; the whole tree is re-checked (a parent may not
    drop below its children's sum, nor a child push its parent's over)."""
    pledge = _lock(criterion.pledge)
    check_manages(actor, pledge)
    _check_criteria_editable(pledge)
    criterion = Criterion.objects.select_related("parent").get(pk=criterion.pk)
    for name, value in fields.items():
        if name not in CRITERION_FIELDS:
            raise TypeError(f"criterion_update() got an unexpected field {name!r}")
        if name in ("code", "text"):
            value = (value or "").strip()
        elif name in ("max_points", "bonus_cap") and _decimal(value) is not None:
            value = _decimal(value)
        elif name == "bonus_cap":
            value = None
        setattr(criterion, name, value)
    _check_criterion_fields(pledge, criterion)
    ancestor = criterion.parent
    while ancestor is not None:  # at most MAX_CRITERIA_DEPTH steps in a valid tree
        if ancestor.pk == criterion.pk:
            raise ValidationError(
                {"parent": CRITERION_CYCLE % {"code": criterion.code}}, code="cycle"
            )
        ancestor = ancestor.parent
    _check_in_tree(
        pledge,
        {
            "key": criterion.pk,
            "parent": criterion.parent_id,
            "code": criterion.code,
            "max_points": criterion.max_points,
        },
        exclude_pk=criterion.pk,
    )
    criterion.full_clean(exclude=["pledge", "parent"], validate_constraints=False)
    stamp(criterion, actor)
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: Actor = None) -> None:
    """Remove a criterion and its sub-criteria (removing never pushes a sum over)."""
    pledge = _lock(criterion.pledge)
    check_manages(actor, pledge)
    _check_criteria_editable(pledge)
    if (
        pledge.status == Pledge.Status.OPEN
        and not Criterion.objects.filter(pledge=pledge)
        .exclude(pk=criterion.pk)
        .exclude(parent=criterion)
        .exclude(parent__parent=criterion)
        .exists()
    ):
        raise ValidationError(OPEN_NEEDS_CRITERIA, code="no_criteria")
    stamp(criterion, actor)
    criterion.delete()
