"""Writes with rules for the pledge itself: creating a year (or starting from last year's),
its contents, criteria tree and rules, its status, the members' signatures and registrations.

Every function runs in one transaction, validates before it writes, raises ValidationError
with the module-level messages below, and records the actor in the audit history.
A closed pledge refuses every write (`check_writable`) until reopened with a reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, Meeting, Organization, current_year
from portal.lib.history import stamp

from ..models import (
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Pledge,
    PledgeItem,
    PledgeSignature,
    Registration,
    RegistrationTarget,
)
from ..selectors import members_of

__all__ = [
    # messages
    "ALREADY_SIGNED",
    "BAND_INVALID",
    "BANDS_NOT_A_LIST",
    "BANDS_NOT_DESCENDING",
    "CAP_NEGATIVE",
    "CHILDREN_OVER_PARENT",
    "CODE_REQUIRED",
    "CODE_TAKEN",
    "CRITERIA_FROZEN",
    "CRITERION_CYCLE",
    "CRITERION_TOO_DEEP",
    "ITEM_NOT_IN_PLEDGE",
    "ITEM_TEXT_REQUIRED",
    "ITEMS_FROZEN",
    "LEADING_UNITS_MIN",
    "MAX_POINTS_INVALID",
    "MEETING_NOT_OF_PLEDGE",
    "NO_PREVIOUS_PLEDGE",
    "NOT_A_MEMBER",
    "OPEN_NEEDS_CRITERIA",
    "OPEN_NEEDS_ITEMS",
    "PARENT_NOT_IN_PLEDGE",
    "PLEDGE_CLOSED",
    "PLEDGE_EXISTS",
    "QUOTA_EMPTY",
    "QUOTA_PERCENT_RANGE",
    "REGISTRATION_CLOSED",
    "REOPEN_NEEDS_REASON",
    "REOPEN_NOT_CLOSED",
    "SIGNATURE_LOCKED",
    "SIGNER_REQUIRED",
    "SIGNING_NOT_OPEN",
    "STATUS_NOT_NEXT",
    "TARGET_NEEDS_TEXT",
    "TARGET_NUMBER_INVALID",
    "TARGET_TWICE",
    "TIE_BREAK_INVALID",
    "TIE_BREAK_NOT_A_LIST",
    "TIE_BREAK_TWICE",
    "TITLE_INACTIVE",
    "TITLE_REQUIRED",
    "VOTE_THRESHOLD_RANGE",
    "YEAR_OUT_OF_RANGE",
    # constants
    "CRITERION_FIELDS",
    "MAX_CRITERIA_DEPTH",
    "RULE_FIELDS",
    "STATUS_ORDER",
    # functions
    "check_criteria_tree",
    "check_pledge_rules",
    "check_pledge_year",
    "check_writable",
    "criteria_depths",
    "criteria_editable",
    "criterion_create",
    "criterion_delete",
    "criterion_update",
    "items_editable",
    "next_status",
    "pledge_copy_from_previous",
    "pledge_create",
    "pledge_reopen",
    "pledge_save_items",
    "pledge_set_status",
    "pledge_sign",
    "pledge_update_rules",
    "quota_delete",
    "quota_set",
    "registration_save",
    "signature_delete",
]

# --- Messages -------------------------------------------------------------------------------

PLEDGE_CLOSED = _(
    "The %(year)s pledge is closed: nothing can be changed until it is reopened with a reason."
)
PLEDGE_EXISTS = _("%(bloc)s already has a pledge for %(year)s.")
YEAR_OUT_OF_RANGE = _(
    "The emulation year must be between %(first)s and %(last)s; %(year)s was given."
)
NO_PREVIOUS_PLEDGE = _("%(bloc)s has no pledge before %(year)s to start from.")
TITLE_REQUIRED = _("Give the pledge a title.")

BANDS_NOT_A_LIST = _("The classification bands must be a list of names with their lowest total.")
BAND_INVALID = _(
    "Classification band %(number)s needs a name and a lowest total of 0 or more "
    "(e.g. {“name”: “Hoàn thành xuất sắc nhiệm vụ”, “min”: 90})."
)
BANDS_NOT_DESCENDING = _(
    "The classification bands must go from the highest down: “%(name)s” starts at %(min)s, "
    "which is not below the %(previous_min)s of “%(previous)s”."
)
TIE_BREAK_NOT_A_LIST = _("The tie-break order must be a list of tie-break rules.")
TIE_BREAK_INVALID = _("“%(value)s” is not a tie-break rule. Use one of: %(choices)s.")
TIE_BREAK_TWICE = _("The tie-break rule “%(value)s” is listed twice.")
VOTE_THRESHOLD_RANGE = _("The vote threshold must be between 0 and 100%%; %(value)s was given.")
LEADING_UNITS_MIN = _("There must be at least one leading unit; %(value)s was given.")
CAP_NEGATIVE = _("A cap cannot be negative; %(value)s was given.")
MEETING_NOT_OF_PLEDGE = _("“%(meeting)s” is not a meeting of %(bloc)s in %(year)s.")

ITEMS_FROZEN = _(
    "The pledge is “%(status)s”: its contents were fixed when it was signed and can no longer "
    "change."
)
ITEM_TEXT_REQUIRED = _("Content %(number)s has no text.")
ITEM_NOT_IN_PLEDGE = _("Content “%(item)s” is not part of the %(year)s pledge.")

CRITERIA_FROZEN = _(
    "The pledge is “%(status)s”: its criteria and points were fixed when it was signed and can "
    "no longer change."
)
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

QUOTA_EMPTY = _("Give the most proposals of %(title)s as a percentage, a number, or both.")
QUOTA_PERCENT_RANGE = _("The percentage must be between 0 and 100; %(value)s was given.")

STATUS_NOT_NEXT = _(
    "The pledge is “%(current)s”: it can only move on to “%(next)s”, not to “%(target)s”."
)
OPEN_NEEDS_ITEMS = _("Add at least one content to the pledge before opening it for signing.")
OPEN_NEEDS_CRITERIA = _("Add at least one criterion before opening the pledge for signing.")
REOPEN_NOT_CLOSED = _("Only a closed pledge can be reopened; this one is “%(status)s”.")
REOPEN_NEEDS_REASON = _("Give the reason for reopening the closed pledge.")

NOT_A_MEMBER = _("%(organization)s is not a member of %(bloc)s in %(year)s.")
SIGNING_NOT_OPEN = _(
    "The pledge can be signed only while it is open for signing; it is “%(status)s”."
)
ALREADY_SIGNED = _("%(organization)s has already signed the %(year)s pledge.")
SIGNER_REQUIRED = _("Give the name and the position of the person who signs.")
SIGNATURE_LOCKED = _(
    "A signature can be removed only while the pledge is open for signing; it is “%(status)s”."
)

REGISTRATION_CLOSED = _("Registration for %(year)s closed on %(deadline)s.")
TITLE_INACTIVE = _("“%(title)s” is no longer offered; choose another title.")
TARGET_NEEDS_TEXT = _("The target for “%(item)s” has a number but no description.")
TARGET_NUMBER_INVALID = _("The number of the target for “%(item)s” must be a number.")
TARGET_TWICE = _("“%(item)s” has two targets; keep one.")

# --- Constants ------------------------------------------------------------------------------

MAX_CRITERIA_DEPTH = 3
STATUS_ORDER = [
    Pledge.Status.DRAFT,
    Pledge.Status.OPEN,
    Pledge.Status.SIGNED,
    Pledge.Status.SCORING,
    Pledge.Status.CLOSED,
]
# The rule fields pledge_update_rules accepts (besides the title).
RULE_FIELDS = (
    "legal_basis",
    "scoring_method",
    "bonus_cap",
    "penalty_cap",
    "classification_bands",
    "tie_break_order",
    "vote_threshold",
    "vote_threshold_strict",
    "vote_base",
    "leading_units",
    "registration_deadline",
    "scoring_deadline",
    "launch_meeting",
    "review_meeting",
)
# Copied from last year's pledge (the deadlines move on by the years between).
COPIED_RULE_FIELDS = (
    "legal_basis",
    "scoring_method",
    "bonus_cap",
    "penalty_cap",
    "classification_bands",
    "tie_break_order",
    "vote_threshold",
    "vote_threshold_strict",
    "vote_base",
    "leading_units",
)
EDITABLE_CONTENT = (Pledge.Status.DRAFT, Pledge.Status.OPEN)

# --- Helpers --------------------------------------------------------------------------------


def _points(value) -> str:
    """A number of points as people write it: 40, 40.5, 40.01 (localized separator)."""
    value = Decimal(value)
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return formats.number_format(Decimal(text), use_l10n=True)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        result = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _status_label(status: str) -> str:
    return str(Pledge.Status(status).label)


def _lock(pledge: Pledge) -> Pledge:
    """The pledge row, locked for this transaction and fresh from the database."""
    return Pledge.objects.select_for_update().select_related("bloc").get(pk=pledge.pk)


def check_writable(pledge: Pledge) -> None:
    """Refuse any write to a closed pledge (or to anything of it)."""
    if pledge.is_closed:
        raise ValidationError(PLEDGE_CLOSED % {"year": pledge.year}, code="closed")


def _check_member(pledge: Pledge, organization: Organization, field: str = "organization"):
    if organization.pk not in {o.pk for o in members_of(pledge)}:
        raise ValidationError(
            {
                field: NOT_A_MEMBER
                % {"organization": organization, "bloc": pledge.bloc, "year": pledge.year}
            },
            code="not_member",
        )


def items_editable(pledge: Pledge) -> bool:
    """Contents change only before the pledge is signed."""
    return pledge.status in EDITABLE_CONTENT


def criteria_editable(pledge: Pledge) -> bool:
    """The criteria and their points change only before the pledge is signed."""
    return pledge.status in EDITABLE_CONTENT


def _check_criteria_editable(pledge: Pledge) -> None:
    check_writable(pledge)
    if not criteria_editable(pledge):
        raise ValidationError(
            CRITERIA_FROZEN % {"status": _status_label(pledge.status)}, code="criteria_frozen"
        )


# --- Rules of the year ----------------------------------------------------------------------


def check_pledge_year(year) -> None:
    """The emulation years a pledge may be made for: PORTAL_FIRST_YEAR to next year."""
    first, last = settings.PORTAL_FIRST_YEAR, current_year() + 1
    if not isinstance(year, int) or not first <= year <= last:
        raise ValidationError(
            {"year": YEAR_OUT_OF_RANGE % {"first": first, "last": last, "year": year}},
            code="year_out_of_range",
        )


def _check_bands(bands) -> list[dict]:
    if bands is None:
        return []
    if not isinstance(bands, list):
        raise ValidationError(BANDS_NOT_A_LIST, code="bands")
    cleaned = []
    for number, band in enumerate(bands, start=1):
        name = band.get("name") if isinstance(band, dict) else None
        low = band.get("min") if isinstance(band, dict) else None
        if isinstance(low, bool):
            low = None
        low = _decimal(low) if isinstance(low, int | float | str | Decimal) else None
        if not isinstance(name, str) or not name.strip() or low is None or low < 0:
            raise ValidationError(BAND_INVALID % {"number": number}, code="bands")
        if cleaned and low >= Decimal(str(cleaned[-1]["min"])):
            raise ValidationError(
                BANDS_NOT_DESCENDING
                % {
                    "name": name.strip(),
                    "min": _points(low),
                    "previous": cleaned[-1]["name"],
                    "previous_min": _points(cleaned[-1]["min"]),
                },
                code="bands",
            )
        # JSON keeps plain numbers: an int when whole, else a float of the 2-decimal value.
        value = int(low) if low == low.to_integral() else float(low)
        cleaned.append({"name": name.strip(), "min": value})
    return cleaned


def _check_tie_breaks(order) -> list[str]:
    if order is None:
        return []
    if not isinstance(order, list | tuple):
        raise ValidationError(TIE_BREAK_NOT_A_LIST, code="tie_break")
    choices = ", ".join(Pledge.TieBreak.values)
    seen: list[str] = []
    for value in order:
        if value not in Pledge.TieBreak.values:
            raise ValidationError(
                TIE_BREAK_INVALID % {"value": value, "choices": choices}, code="tie_break"
            )
        if value in seen:
            raise ValidationError(TIE_BREAK_TWICE % {"value": value}, code="tie_break")
        seen.append(str(value))
    return seen


def _check_meeting(meeting, bloc: Bloc, year: int, field: str) -> None:
    """The meeting must be the bloc's, of the pledge's year; a signing or launch meeting may
    also be last year's review, where next year's pledge is often signed (Lê Chân signed its
    2021 pledge at the review of 2020 on 07/01/2021)."""
    if meeting is None:
        return
    years = {year, year - 1} if field in ("meeting", "launch_meeting") else {year}
    if meeting.bloc_id != bloc.pk or meeting.year not in years:
        raise ValidationError(
            {field: MEETING_NOT_OF_PLEDGE % {"meeting": meeting, "bloc": bloc, "year": year}},
            code="meeting",
        )


def check_pledge_rules(*, bloc: Bloc, year: int, **fields) -> dict:
    """Validate `title` and RULE_FIELDS (those given) for a pledge of `bloc` in `year`;
    return them normalized. Raises ValidationError keyed by field (for forms too)."""
    errors: dict[str, list] = {}
    cleaned = dict(fields)
    for name in fields:
        if name != "title" and name not in RULE_FIELDS:
            raise TypeError(f"unexpected pledge field {name!r}")

    def collect(name, check):
        try:
            result = check()
        except ValidationError as exc:
            errors.setdefault(name, []).extend(
                exc.error_dict.get(name, exc.messages) if hasattr(exc, "error_dict") else [exc]
            )
        else:
            if result is not None:
                cleaned[name] = result

    if "title" in fields:
        title = (fields["title"] or "").strip()
        if not title:
            errors["title"] = [ValidationError(TITLE_REQUIRED, code="title")]
        cleaned["title"] = title
    if "classification_bands" in fields:
        collect("classification_bands", lambda: _check_bands(fields["classification_bands"]))
    if "tie_break_order" in fields:
        collect("tie_break_order", lambda: _check_tie_breaks(fields["tie_break_order"]))
    if "vote_threshold" in fields:
        value = _decimal(fields["vote_threshold"])
        if value is None or not 0 <= value <= 100:
            errors["vote_threshold"] = [
                ValidationError(
                    VOTE_THRESHOLD_RANGE % {"value": fields["vote_threshold"]}, code="threshold"
                )
            ]
        else:
            cleaned["vote_threshold"] = value
    if "leading_units" in fields:
        value = fields["leading_units"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            errors["leading_units"] = [
                ValidationError(LEADING_UNITS_MIN % {"value": value}, code="leading_units")
            ]
    for cap in ("bonus_cap", "penalty_cap"):
        if fields.get(cap) not in (None, ""):
            value = _decimal(fields[cap])
            if value is None or value < 0:
                errors[cap] = [ValidationError(CAP_NEGATIVE % {"value": fields[cap]}, code="cap")]
            else:
                cleaned[cap] = value
        elif cap in fields:
            cleaned[cap] = None
    for field in ("launch_meeting", "review_meeting"):
        if field in fields:
            collect(field, lambda f=field: _check_meeting(fields[f], bloc, year, f))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _full_clean(pledge: Pledge) -> None:
    # Uniqueness of (bloc, year) is checked by the services in their own words.
    pledge.full_clean(exclude=["bloc", "copied_from"], validate_constraints=False)


@transaction.atomic
def pledge_create(*, bloc: Bloc, year: int, title: str, actor=None, **rules) -> Pledge:
    """A new draft pledge of `bloc` for `year`; `rules` are RULE_FIELDS."""
    Bloc.objects.select_for_update().filter(pk=bloc.pk).first()
    check_pledge_year(year)
    if Pledge.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError(PLEDGE_EXISTS % {"bloc": bloc, "year": year}, code="exists")
    cleaned = check_pledge_rules(bloc=bloc, year=year, title=title, **rules)
    pledge = Pledge(bloc=bloc, year=year, status=Pledge.Status.DRAFT, **cleaned)
    _full_clean(pledge)
    stamp(pledge, actor)
    try:
        with transaction.atomic():
            pledge.save()
    except IntegrityError as exc:  # a concurrent request created the same year first
        raise ValidationError(PLEDGE_EXISTS % {"bloc": bloc, "year": year}, code="exists") from exc
    return pledge


def _shift_date(value: datetime.date | None, years: int) -> datetime.date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February into a common year
        return value.replace(year=value.year + years, day=28)


@transaction.atomic
def pledge_copy_from_previous(*, bloc: Bloc, year: int, actor=None) -> Pledge:
    """Start `year` from the bloc's latest earlier pledge: contents, criteria tree, rules and
    quotas are copied into a new draft; signatures, registrations and scores are not."""
    Bloc.objects.select_for_update().filter(pk=bloc.pk).first()
    check_pledge_year(year)
    if Pledge.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError(PLEDGE_EXISTS % {"bloc": bloc, "year": year}, code="exists")
    source = Pledge.objects.filter(bloc=bloc, year__lt=year).order_by("-year").first()
    if source is None:
        raise ValidationError(NO_PREVIOUS_PLEDGE % {"bloc": bloc, "year": year}, code="no_previous")
    years = year - source.year
    pledge = Pledge(
        bloc=bloc,
        year=year,
        title=source.title.replace(str(source.year), str(year)),
        status=Pledge.Status.DRAFT,
        copied_from=source,
        registration_deadline=_shift_date(source.registration_deadline, years),
        scoring_deadline=_shift_date(source.scoring_deadline, years),
        **{name: getattr(source, name) for name in COPIED_RULE_FIELDS},
    )
    stamp(pledge, actor)
    pledge.save()

    for item in source.items.all():
        copy = PledgeItem(pledge=pledge, order=item.order, text=item.text)
        stamp(copy, actor)
        copy.save()

    nodes = list(source.criteria.all())
    depth = criteria_depths({n.pk: n.parent_id for n in nodes})
    new_ids: dict[int, int] = {}
    for node in sorted(nodes, key=lambda n: (depth[n.pk], n.order, n.pk)):
        copy = Criterion(
            pledge=pledge,
            parent_id=new_ids.get(node.parent_id),
            order=node.order,
            code=node.code,
            text=node.text,
            max_points=node.max_points,
            bonus_cap=node.bonus_cap,
            evidence_required=node.evidence_required,
        )
        stamp(copy, actor)
        copy.save()
        new_ids[node.pk] = copy.pk

    for quota in source.quotas.all():
        copy = CommendationQuota(
            pledge=pledge,
            title_id=quota.title_id,
            max_percent=quota.max_percent,
            base=quota.base,
            max_count=quota.max_count,
        )
        stamp(copy, actor)
        copy.save()
    return pledge


@transaction.atomic
def pledge_update_rules(*, pledge: Pledge, actor=None, **fields) -> Pledge:
    """Change the title and rules (RULE_FIELDS) of a pledge that is not closed."""
    pledge = _lock(pledge)
    check_writable(pledge)
    cleaned = check_pledge_rules(bloc=pledge.bloc, year=pledge.year, **fields)
    for name, value in cleaned.items():
        setattr(pledge, name, value)
    _full_clean(pledge)
    stamp(pledge, actor)
    pledge.save()
    return pledge


# --- Contents -------------------------------------------------------------------------------


@transaction.atomic
def pledge_save_items(*, pledge: Pledge, rows: list[dict], actor=None) -> None:
    """Make the pledge's contents equal `rows` (text, order, and `id` for existing ones);
    contents not in `rows` are removed. Only before the pledge is signed."""
    pledge = _lock(pledge)
    check_writable(pledge)
    if not items_editable(pledge):
        raise ValidationError(
            ITEMS_FROZEN % {"status": _status_label(pledge.status)}, code="items_frozen"
        )
    existing = {item.pk: item for item in pledge.items.all()}
    for number, row in enumerate(rows, start=1):
        ident = row.get("id")
        if ident is not None and ident not in existing:
            raise ValidationError(
                ITEM_NOT_IN_PLEDGE % {"item": ident, "year": pledge.year}, code="item"
            )
        if not (row.get("text") or "").strip():
            raise ValidationError(ITEM_TEXT_REQUIRED % {"number": number}, code="item_text")
    if not rows and pledge.status == Pledge.Status.OPEN:
        raise ValidationError(OPEN_NEEDS_ITEMS, code="no_items")
    kept = set()
    for row in rows:
        item = existing.get(row.get("id")) or PledgeItem(pledge=pledge)
        text, order = row["text"].strip(), row.get("order") or 0
        if item.pk is None or (item.text, item.order) != (text, order):
            item.text, item.order = text, order
            item.full_clean(exclude=["pledge"])
            stamp(item, actor)
            item.save()
        kept.add(item.pk)
    for ident, item in existing.items():
        if ident not in kept:
            stamp(item, actor)
            item.delete()


# --- Criteria tree --------------------------------------------------------------------------


def criteria_depths(parents: dict) -> dict:
    """{key: level} (1 for a group) from {key: parent key}; a cycle raises ValueError."""
    depth: dict = {}

    def level(key, seen=()):
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


def check_criteria_tree(nodes: Iterable[dict]) -> None:
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
    totals: dict = {}
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


def _tree(pledge: Pledge, exclude_pk=None) -> list[dict]:
    return [
        {"key": c.pk, "parent": c.parent_id, "code": c.code, "max_points": c.max_points}
        for c in Criterion.objects.filter(pledge=pledge).exclude(pk=exclude_pk)
    ]


def _check_in_tree(pledge: Pledge, node: dict, exclude_pk=None) -> None:
    """Check the tree as it would be with `node` added (or replacing `exclude_pk`)."""
    check_criteria_tree([*_tree(pledge, exclude_pk), node])


CRITERION_FIELDS = (
    "parent",
    "code",
    "text",
    "max_points",
    "bonus_cap",
    "evidence_required",
    "order",
)


def _check_criterion_fields(pledge: Pledge, criterion: Criterion) -> None:
    code = criterion.code or "?"
    if criterion.parent_id is not None and criterion.parent.pledge_id != pledge.pk:
        raise ValidationError(
            {"parent": PARENT_NOT_IN_PLEDGE % {"code": criterion.parent.code}}, code="parent"
        )
    if _decimal(criterion.max_points) is None or _decimal(criterion.max_points) < 0:
        raise ValidationError({"max_points": MAX_POINTS_INVALID % {"code": code}}, code="points")
    if criterion.bonus_cap not in (None, "") and (
        _decimal(criterion.bonus_cap) is None or _decimal(criterion.bonus_cap) < 0
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
    max_points,
    bonus_cap=None,
    evidence_required: bool = False,
    order: int = 0,
    actor=None,
) -> Criterion:
    """Add a criterion (under `parent`, or a group when None); the children of the parent
    may not add up to more than its max points."""
    pledge = _lock(pledge)
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
def criterion_update(*, criterion: Criterion, actor=None, **fields) -> Criterion:
    """Change a criterion's CRITERION_FIELDS; the whole tree is re-checked (a parent may not
    drop below its children's sum, nor a child push its parent's over)."""
    pledge = _lock(criterion.pledge)
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
def criterion_delete(*, criterion: Criterion, actor=None) -> None:
    """Remove a criterion and its sub-criteria (removing never pushes a sum over)."""
    pledge = _lock(criterion.pledge)
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


# --- Quotas ---------------------------------------------------------------------------------


@transaction.atomic
def quota_set(
    *,
    pledge: Pledge,
    title: EmulationTitle,
    max_percent=None,
    base: str = CommendationQuota.Base.MEMBERS,
    max_count: int | None = None,
    actor=None,
) -> CommendationQuota:
    """At most `max_percent` % of `base` and/or `max_count` proposals of `title`."""
    pledge = _lock(pledge)
    check_writable(pledge)
    percent = _decimal(max_percent)
    if percent is None and max_count is None:
        raise ValidationError(QUOTA_EMPTY % {"title": title}, code="quota_empty")
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError(
            {"max_percent": QUOTA_PERCENT_RANGE % {"value": max_percent}}, code="percent"
        )
    quota = CommendationQuota.objects.filter(pledge=pledge, title=title).first()
    quota = quota or CommendationQuota(pledge=pledge, title=title)
    quota.max_percent, quota.base, quota.max_count = percent, base, max_count
    quota.full_clean(exclude=["pledge", "title"], validate_constraints=False)
    stamp(quota, actor)
    quota.save()
    return quota


@transaction.atomic
def quota_delete(*, quota: CommendationQuota, actor=None) -> None:
    pledge = _lock(quota.pledge)
    check_writable(pledge)
    stamp(quota, actor)
    quota.delete()


# --- Status ---------------------------------------------------------------------------------


def next_status(pledge: Pledge) -> str | None:
    """The status the pledge may move on to (None when closed: only reopening)."""
    index = STATUS_ORDER.index(pledge.status)
    return STATUS_ORDER[index + 1] if index + 1 < len(STATUS_ORDER) else None


@transaction.atomic
def pledge_set_status(*, pledge: Pledge, status: str, actor=None) -> Pledge:
    """Move the pledge one step on: draft → open → signed → scoring → closed.

    Opening needs at least one content and a valid criteria tree with at least one criterion.
    """
    original = pledge
    pledge = _lock(pledge)
    check_writable(pledge)
    following = next_status(pledge)
    if status != following:
        target = _status_label(status) if status in Pledge.Status.values else status
        raise ValidationError(
            STATUS_NOT_NEXT
            % {
                "current": _status_label(pledge.status),
                "next": _status_label(following),
                "target": target,
            },
            code="status",
        )
    if status == Pledge.Status.OPEN:
        if not pledge.items.exists():
            raise ValidationError(OPEN_NEEDS_ITEMS, code="no_items")
        tree = _tree(pledge)
        if not tree:
            raise ValidationError(OPEN_NEEDS_CRITERIA, code="no_criteria")
        check_criteria_tree(tree)
    pledge.status = status
    stamp(pledge, actor)
    pledge.save()
    original.status = pledge.status
    return pledge


@transaction.atomic
def pledge_reopen(*, pledge: Pledge, reason: str, actor=None) -> Pledge:
    """A closed pledge goes back to scoring; the reason stays in the history."""
    original = pledge
    pledge = _lock(pledge)
    if not pledge.is_closed:
        raise ValidationError(
            REOPEN_NOT_CLOSED % {"status": _status_label(pledge.status)}, code="not_closed"
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": REOPEN_NEEDS_REASON}, code="no_reason")
    pledge.status = Pledge.Status.SCORING
    pledge._change_reason = reason.strip()
    stamp(pledge, actor)
    pledge.save()
    original.status = pledge.status
    return pledge


# --- Signing --------------------------------------------------------------------------------


@transaction.atomic
def pledge_sign(
    *,
    pledge: Pledge,
    organization: Organization,
    signer_name: str,
    signer_position: str,
    signed_at: datetime.datetime | None = None,
    meeting: Meeting | None = None,
    actor=None,
) -> PledgeSignature:
    """A member organization signs the pledge (online, or recorded at the launch meeting)."""
    pledge = _lock(pledge)
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
def signature_delete(*, signature: PledgeSignature, actor=None) -> None:
    """Withdraw a signature (e.g. recorded for the wrong organization) while still open."""
    pledge = _lock(signature.pledge)
    check_writable(pledge)
    if pledge.status != Pledge.Status.OPEN:
        raise ValidationError(
            SIGNATURE_LOCKED % {"status": _status_label(pledge.status)}, code="signature_locked"
        )
    stamp(signature, actor)
    signature.delete()


# --- Registration ---------------------------------------------------------------------------


def _clean_targets(pledge: Pledge, targets: list[dict]) -> list[dict]:
    cleaned, seen = [], set()
    for row in targets:
        item = row["item"]
        if item.pledge_id != pledge.pk:
            raise ValidationError(
                ITEM_NOT_IN_PLEDGE % {"item": item, "year": pledge.year}, code="item"
            )
        text = (row.get("text") or "").strip()
        raw_number = row.get("number")
        number = _decimal(raw_number)
        if raw_number not in (None, "") and number is None:
            raise ValidationError(TARGET_NUMBER_INVALID % {"item": item}, code="target_number")
        if not text:
            if number is not None:
                raise ValidationError(TARGET_NEEDS_TEXT % {"item": item}, code="target_text")
            continue  # an empty row: no target for this content
        if item.pk in seen:
            raise ValidationError(TARGET_TWICE % {"item": item}, code="target_twice")
        seen.add(item.pk)
        cleaned.append(
            {"item": item, "text": text, "number": number, "unit": (row.get("unit") or "").strip()}
        )
    return cleaned


@transaction.atomic
def registration_save(
    *,
    pledge: Pledge,
    organization: Organization,
    titles: Iterable[EmulationTitle],
    targets: list[dict],
    note: str = "",
    submit: bool = False,
    actor=None,
    today: datetime.date | None = None,
) -> Registration:
    """Save a member's registration (titles aimed for, targets per content), replacing what
    it registered before. Until the registration deadline (inclusive). `submit` marks it
    submitted to the secretariat."""
    pledge = _lock(pledge)
    check_writable(pledge)
    today = today or timezone.localdate()
    deadline = pledge.registration_deadline
    if deadline is not None and today > deadline:
        raise ValidationError(
            REGISTRATION_CLOSED % {"year": pledge.year, "deadline": deadline.strftime("%d/%m/%Y")},
            code="registration_closed",
        )
    _check_member(pledge, organization)
    titles = list(titles)
    for title in titles:
        if not title.is_active:
            raise ValidationError({"titles": TITLE_INACTIVE % {"title": title}}, code="title")
    rows = _clean_targets(pledge, targets)

    registration = (
        Registration.objects.select_for_update()
        .filter(pledge=pledge, organization=organization)
        .first()
    ) or Registration(pledge=pledge, organization=organization)
    registration.note = (note or "").strip()
    registration.updated_by = actor
    if submit:
        registration.submitted_at = timezone.now()
    stamp(registration, actor)
    registration.save()
    registration.titles.set(titles)
    for target in registration.targets.all():
        stamp(target, actor)
        target.delete()
    for row in rows:
        target = RegistrationTarget(registration=registration, **row)
        target.full_clean(exclude=["registration", "item"], validate_constraints=False)
        stamp(target, actor)
        target.save()
    return registration
