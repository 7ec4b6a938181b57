"""Creating a year (or starting from last year's), its title and rules, its commendation
quotas: the writes of the secretariat that set the year up."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from blocs.models import Bloc, current_year
from blocs.rules import check_year_writer
from portal.lib.history import stamp
from portal.lib.types import Actor

from ..models import CommendationQuota, Criterion, EmulationTitle, Pledge, PledgeItem
from ..models.year import MAX_REMINDER_DAYS
from ..rules import check_manages
from .criteria import criteria_depths
from .year import CAP_NEGATIVE, _check_meeting, _decimal, _lock, _points, check_writable

__all__ = [
    "REMINDER_DAYS_INVALID",
    "check_reminder_days",
    "BANDS_NOT_A_LIST",
    "BANDS_NOT_DESCENDING",
    "BAND_INVALID",
    "LAW_2022_FIRST_YEAR",
    "LEADING_UNITS_MIN",
    "LEGAL_BASIS_CHANGED",
    "LEGAL_BASIS_IN_FORCE",
    "NO_PREVIOUS_PLEDGE",
    "PLEDGE_EXISTS",
    "QUOTA_EMPTY",
    "QUOTA_PERCENT_RANGE",
    "RULE_FIELDS",
    "TIE_BREAK_INVALID",
    "TIE_BREAK_NOT_A_LIST",
    "TIE_BREAK_TWICE",
    "TITLE_REQUIRED",
    "VOTE_THRESHOLD_RANGE",
    "YEAR_OUT_OF_RANGE",
    "check_pledge_rules",
    "check_pledge_year",
    "check_quota",
    "DEADLINE_IN_THE_PAST",
    "legal_basis_changed",
    "past_deadline_warnings",
    "pledge_copy_from_previous",
    "pledge_create",
    "pledge_update_rules",
    "quota_delete",
    "quota_set",
]

PLEDGE_EXISTS = _("%(bloc)s already has a pledge for %(year)s.")
YEAR_OUT_OF_RANGE = _(
    "The emulation year must be between %(first)s and %(last)s; %(year)s was given."
)
NO_PREVIOUS_PLEDGE = _("%(bloc)s has no pledge before %(year)s to start from.")
# The Law on Emulation and Commendation 2022 (06/2022/QH15) is in force from 01/01/2024; the
# decree detailing it is ND 152/2025/NĐ-CP from 01/07/2025 (domain.md §10).
LAW_2022_FIRST_YEAR = 2024
LEGAL_BASIS_IN_FORCE = (
    "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022;\n"
    "Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14/6/2025 của Chính phủ quy định chi tiết một số "
    "điều của Luật Thi đua, khen thưởng;\n"
    "Căn cứ Quy chế hoạt động của Khối thi đua."
)
LEGAL_BASIS_CHANGED = _(
    "The pledge of %(source)s was made under the law of that time: the legal basis of "
    "%(year)s now cites the Law on Emulation and Commendation 2022 and Decree "
    "152/2025/NĐ-CP instead. Check it on the rules page before the pledge is signed."
)


def legal_basis_changed(source_year: int, year: int) -> bool:
    """Whether a pledge copied from `source_year` into `year` crosses the 2022 law."""
    return source_year < LAW_2022_FIRST_YEAR <= year


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
REMINDER_DAYS_INVALID = _(
    "“%(value)s”: give whole numbers of days from 1 to %(max)s separated by commas, e.g. “7,3,1”."
)
VOTE_THRESHOLD_RANGE = _("The vote threshold must be between 0 and 100%%; %(value)s was given.")
LEADING_UNITS_MIN = _("There must be at least one leading unit; %(value)s was given.")
DEADLINE_BEFORE_YEAR = _(
    "The deadline %(date)s is before the emulation year %(year)s: check the year of the date."
)
DEADLINE_IN_THE_PAST = _(
    "%(deadline)s: %(date)s is already past (today is %(today)s), members can no longer "
    "meet it. Check the date, and tell the members if it is right."
)
SCORING_BEFORE_REGISTRATION = _(
    "The self-scoring deadline %(scoring)s comes before the registration deadline %(registration)s."
)
VERIFICATION_BEFORE_SCORING = _(
    "The verification deadline %(verification)s comes before the self-scoring deadline %(scoring)s."
)
QUOTA_EMPTY = _("Give the most proposals of %(title)s as a percentage, a number, or both.")
QUOTA_PERCENT_RANGE = _("The percentage must be between 0 and 100; %(value)s was given.")

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
    "verification_deadline",
    "reminder_days",
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
    "reminder_days",
)


def check_pledge_year(year: object) -> None:
    """The emulation years a pledge may be made for: PORTAL_FIRST_YEAR to next year."""
    first, last = settings.PORTAL_FIRST_YEAR, current_year() + 1
    if not isinstance(year, int) or not first <= year <= last:
        raise ValidationError(
            {"year": YEAR_OUT_OF_RANGE % {"first": first, "last": last, "year": year}},
            code="year_out_of_range",
        )


def _check_bands(bands: object) -> list[dict[str, Any]]:
    if bands is None:
        return []
    if not isinstance(bands, list):
        raise ValidationError(BANDS_NOT_A_LIST, code="bands")
    cleaned: list[dict[str, Any]] = []
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


def _check_tie_breaks(order: object) -> list[str]:
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


def check_reminder_days(value: object) -> str:
    """“7, 3,1” → “7,3,1”: whole numbers of days from 1 to MAX_REMINDER_DAYS, or empty."""
    text = str(value or "").strip()
    if not text:
        return ""
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and 0 < int(part) <= MAX_REMINDER_DAYS for part in parts):
        raise ValidationError(
            REMINDER_DAYS_INVALID % {"value": text, "max": MAX_REMINDER_DAYS}, code="reminders"
        )
    return ",".join(str(d) for d in sorted({int(p) for p in parts}, reverse=True))


def check_pledge_rules(*, bloc: Bloc, year: int, **fields: Any) -> dict[str, Any]:
    """Validate `title` and RULE_FIELDS (those given) for a pledge of `bloc` in `year`;
    return them normalized. Raises ValidationError keyed by field (for forms too)."""
    errors: dict[str, list[Any]] = {}
    cleaned = dict(fields)
    for name in fields:
        if name != "title" and name not in RULE_FIELDS:
            raise TypeError(f"unexpected pledge field {name!r}")

    def collect(name: str, check: Callable[[], object]) -> None:
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
            collect(field, partial(_check_meeting, fields[field], bloc, year, field))
    _check_deadlines(fields, year, errors)
    if "reminder_days" in fields:
        collect("reminder_days", lambda: check_reminder_days(fields["reminder_days"]))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_deadlines(fields: dict[str, Any], year: int, errors: dict[str, list[Any]]) -> None:
    """A deadline lies in the emulation year or after it (a 30/11/2025 deadline typed for
    2026 is a slip of the year), and members register before they score."""
    dates = {}
    for name in ("registration_deadline", "scoring_deadline", "verification_deadline"):
        value = fields.get(name)
        if not isinstance(value, datetime.date):
            continue
        if isinstance(year, int) and value < datetime.date(year, 1, 1):
            message = DEADLINE_BEFORE_YEAR % {"date": f"{value:%d/%m/%Y}", "year": year}
            errors.setdefault(name, []).append(ValidationError(message, code="deadline_year"))
        dates[name] = value
    registration, scoring = dates.get("registration_deadline"), dates.get("scoring_deadline")
    if registration and scoring and scoring < registration:
        message = SCORING_BEFORE_REGISTRATION % {
            "scoring": f"{scoring:%d/%m/%Y}",
            "registration": f"{registration:%d/%m/%Y}",
        }
        errors.setdefault("scoring_deadline", []).append(
            ValidationError(message, code="deadline_order")
        )
    verification = dates.get("verification_deadline")
    if scoring and verification and verification < scoring:
        message = VERIFICATION_BEFORE_SCORING % {
            "verification": f"{verification:%d/%m/%Y}",
            "scoring": f"{scoring:%d/%m/%Y}",
        }
        errors.setdefault("verification_deadline", []).append(
            ValidationError(message, code="deadline_order")
        )


def past_deadline_warnings(
    new: Mapping[str, Any], old: Mapping[str, Any], today: datetime.date
) -> list[str]:
    """A warning for each deadline just set (`new` differs from `old`) to a day already past:
    saved all the same (a late year may record the real dates), but the person setting it
    hears it at once rather than the members at their final "Gửi". Pure: the portal's and
    the admin's forms ask it."""
    labels = {
        "registration_deadline": Pledge._meta.get_field("registration_deadline").verbose_name,
        "scoring_deadline": Pledge._meta.get_field("scoring_deadline").verbose_name,
    }
    warnings = []
    for name, label in labels.items():
        value = new.get(name)
        if isinstance(value, datetime.date) and value != old.get(name) and value < today:
            params = {"deadline": capfirst(label), "date": f"{value:%d/%m/%Y}"}
            params["today"] = f"{today:%d/%m/%Y}"
            warnings.append(str(DEADLINE_IN_THE_PAST % params))
    return warnings


def _full_clean(pledge: Pledge) -> None:
    # Uniqueness of (bloc, year) is checked by the services in their own words.
    pledge.full_clean(exclude=["bloc", "copied_from"], validate_constraints=False)


@transaction.atomic
def pledge_create(
    *, bloc: Bloc, year: int, title: str, actor: Actor = None, **rules: Any
) -> Pledge:
    """A new draft pledge of `bloc` for `year`; `rules` are RULE_FIELDS. Only that year's
    secretariat (or the system, `actor: Actor = None`)."""
    check_year_writer(actor, bloc, year)
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
def pledge_copy_from_previous(*, bloc: Bloc, year: int, actor: Actor = None) -> Pledge:
    """Start `year` from the bloc's latest earlier pledge: contents, criteria tree, rules and
    quotas are copied into a new draft; signatures, registrations and scores are not."""
    check_year_writer(actor, bloc, year)
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
        verification_deadline=_shift_date(source.verification_deadline, years),
        **{name: getattr(source, name) for name in COPIED_RULE_FIELDS},
    )
    if legal_basis_changed(source.year, year):  # the 2003 law and its decrees are repealed
        pledge.legal_basis = LEGAL_BASIS_IN_FORCE
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
        node_copy = Criterion(
            pledge=pledge,
            parent_id=new_ids.get(node.parent_id),
            order=node.order,
            code=node.code,
            text=node.text,
            max_points=node.max_points,
            bonus_cap=node.bonus_cap,
            evidence_required=node.evidence_required,
        )
        stamp(node_copy, actor)
        node_copy.save()
        new_ids[node.pk] = node_copy.pk

    for quota in source.quotas.all():
        quota_copy = CommendationQuota(
            pledge=pledge,
            title_id=quota.title_id,
            max_percent=quota.max_percent,
            base=quota.base,
            max_count=quota.max_count,
        )
        stamp(quota_copy, actor)
        quota_copy.save()
    return pledge


@transaction.atomic
def pledge_update_rules(*, pledge: Pledge, actor: Actor = None, **fields: Any) -> Pledge:
    """Change the title and rules (RULE_FIELDS) of a pledge that is not closed."""
    pledge = _lock(pledge)
    check_manages(actor, pledge)
    check_writable(pledge)
    cleaned = check_pledge_rules(bloc=pledge.bloc, year=pledge.year, **fields)
    for name, value in cleaned.items():
        setattr(pledge, name, value)
    _full_clean(pledge)
    stamp(pledge, actor)
    pledge.save()
    return pledge


def check_quota(
    *, title: EmulationTitle, max_percent: object = None, max_count: int | None = None
) -> Decimal | None:
    """A quota limits by a percentage (0 to 100), a number, or both; returns the percentage
    as a number. Pure: the admin's quota rows ask it too."""
    percent = _decimal(max_percent)
    if percent is None and max_count is None:
        raise ValidationError(QUOTA_EMPTY % {"title": title}, code="quota_empty")
    if percent is not None and not 0 <= percent <= 100:
        raise ValidationError(
            {"max_percent": QUOTA_PERCENT_RANGE % {"value": max_percent}}, code="percent"
        )
    return percent


@transaction.atomic
def quota_set(
    *,
    pledge: Pledge,
    title: EmulationTitle,
    max_percent: object = None,
    base: str = CommendationQuota.Base.MEMBERS,
    max_count: int | None = None,
    actor: Actor = None,
) -> CommendationQuota:
    """At most `max_percent` % of `base` and/or `max_count` proposals of `title`."""
    pledge = _lock(pledge)
    check_manages(actor, pledge)
    check_writable(pledge)
    percent = check_quota(title=title, max_percent=max_percent, max_count=max_count)
    quota = CommendationQuota.objects.filter(pledge=pledge, title=title).first()
    quota = quota or CommendationQuota(pledge=pledge, title=title)
    quota.max_percent, quota.base, quota.max_count = percent, base, max_count
    quota.full_clean(exclude=["pledge", "title"], validate_constraints=False)
    stamp(quota, actor)
    quota.save()
    return quota


@transaction.atomic
def quota_delete(*, quota: CommendationQuota, actor: Actor = None) -> None:
    pledge = _lock(quota.pledge)
    check_manages(actor, pledge)
    check_writable(pledge)
    stamp(quota, actor)
    quota.delete()
