"""pledges.services (the pledge side): every rule and its message, nothing written on a refusal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone, translation

from blocs.models import Meeting, current_year
from pledges import selectors, services
from pledges.models import (
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Pledge,
    PledgeItem,
    PledgeSignature,
    Registration,
    RegistrationTarget,
)
from tests.factories import (
    CriterionFactory,
    EmulationTitleFactory,
    PledgeFactory,
    PledgeItemFactory,
)

YEAR = current_year()
S = Pledge.Status


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their English msgids; numbers keep the portal's Vietnamese
    # format in every language (portal/formats/en), e.g. 40,01.
    with translation.override("en"):
        yield


def refused(exc_info, message, **params) -> None:
    expected = str(message % params) if params else str(message)
    assert expected in exc_info.value.messages, exc_info.value.messages


def _set_status(pledge, status) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(status=status)
    pledge.refresh_from_db()
    return pledge


def _meeting(bloc, year=YEAR, kind=Meeting.Kind.LAUNCH) -> Meeting:
    return Meeting.objects.create(
        bloc=bloc,
        year=year,
        kind=kind,
        title="Hội nghị phát động thi đua và ký kết giao ước",
        starts_at=timezone.now(),
        place="Hải Phòng",
    )


def _criterion(pledge, code) -> Criterion:
    return Criterion.objects.get(pledge=pledge, code=code)


# ---------------------------------------------------------------------------
# check_writable and members_of
# ---------------------------------------------------------------------------


def test_check_writable_refuses_only_a_closed_pledge(pledge):
    for status in (S.DRAFT, S.OPEN, S.SIGNED, S.SCORING):
        _set_status(pledge, status)
        services.check_writable(pledge)
    _set_status(pledge, S.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.check_writable(pledge)
    refused(exc, services.PLEDGE_CLOSED, year=pledge.year)
    assert exc.value.code == "closed"


def test_members_of_are_the_bloc_s_members_that_year(pledge, world):
    assert selectors.members_of(pledge) == world.orgs


# ---------------------------------------------------------------------------
# Creating a year
# ---------------------------------------------------------------------------


def test_create_makes_a_draft_with_its_rules_as_the_actor(world):
    admin = world.users["admin"]
    pledge = services.pledge_create(
        bloc=world.bloc,
        year=YEAR,
        title="  Giao ước thi đua năm nay ",
        actor=admin,
        classification_bands=[{"name": "Xuất sắc", "min": 90}, {"name": "Tốt", "min": "70.5"}],
        tie_break_order=["penalty", "bonus"],
        vote_threshold=Decimal("66.67"),
        leading_units=2,
    )
    pledge.refresh_from_db()
    assert pledge.status == S.DRAFT
    assert pledge.title == "Giao ước thi đua năm nay"
    assert pledge.classification_bands == [
        {"name": "Xuất sắc", "min": 90},
        {"name": "Tốt", "min": 70.5},
    ]
    assert pledge.tie_break_order == ["penalty", "bonus"]
    assert (pledge.vote_threshold, pledge.leading_units) == (Decimal("66.67"), 2)
    assert pledge.history.first().history_user == admin


def test_one_pledge_per_bloc_and_year(pledge, world):
    with pytest.raises(ValidationError) as exc:
        services.pledge_create(bloc=world.bloc, year=pledge.year, title="Lần hai")
    refused(exc, services.PLEDGE_EXISTS, bloc=world.bloc, year=pledge.year)
    assert Pledge.objects.filter(bloc=world.bloc).count() == 1
    # another bloc may have the same year
    services.pledge_create(bloc=world.other_bloc, year=pledge.year, title="Cụm 5")


@override_settings(PORTAL_FIRST_YEAR=2010)
@pytest.mark.parametrize(
    ("year", "ok"), [(2009, False), (2010, True), (YEAR + 1, True), (YEAR + 2, False)]
)
def test_the_year_is_between_the_first_portal_year_and_next_year(world, year, ok):
    if ok:
        assert services.pledge_create(bloc=world.bloc, year=year, title="Giao ước").pk
        return
    with pytest.raises(ValidationError) as exc:
        services.pledge_create(bloc=world.bloc, year=year, title="Giao ước")
    refused(exc, services.YEAR_OUT_OF_RANGE, first=2010, last=YEAR + 1, year=year)
    assert not Pledge.objects.exists()


BAD_RULES = [
    ({"title": "  "}, services.TITLE_REQUIRED, {}),
    ({"classification_bands": {"name": "x"}}, services.BANDS_NOT_A_LIST, {}),
    ({"classification_bands": [{"name": "", "min": 90}]}, services.BAND_INVALID, {"number": 1}),
    (
        {"classification_bands": [{"name": "A", "min": 90}, {"name": "B", "min": -1}]},
        services.BAND_INVALID,
        {"number": 2},
    ),
    ({"classification_bands": [{"name": "A", "min": "abc"}]}, services.BAND_INVALID, {"number": 1}),
    ({"classification_bands": [{"name": "A"}]}, services.BAND_INVALID, {"number": 1}),
    (
        {"classification_bands": [{"name": "Tốt", "min": 70}, {"name": "Xuất sắc", "min": 90}]},
        services.BANDS_NOT_DESCENDING,
        {"name": "Xuất sắc", "min": "90", "previous": "Tốt", "previous_min": "70"},
    ),
    (
        {"classification_bands": [{"name": "A", "min": 70}, {"name": "B", "min": 70}]},
        services.BANDS_NOT_DESCENDING,
        {"name": "B", "min": "70", "previous": "A", "previous_min": "70"},
    ),
    ({"tie_break_order": "bonus"}, services.TIE_BREAK_NOT_A_LIST, {}),
    (
        {"tie_break_order": ["bonus", "luck"]},
        services.TIE_BREAK_INVALID,
        {"value": "luck", "choices": ", ".join(Pledge.TieBreak.values)},
    ),
    ({"tie_break_order": ["bonus", "bonus"]}, services.TIE_BREAK_TWICE, {"value": "bonus"}),
    ({"vote_threshold": Decimal("100.01")}, services.VOTE_THRESHOLD_RANGE, {"value": "100.01"}),
    ({"vote_threshold": -1}, services.VOTE_THRESHOLD_RANGE, {"value": -1}),
    ({"leading_units": 0}, services.LEADING_UNITS_MIN, {"value": 0}),
    ({"bonus_cap": -1}, services.CAP_NEGATIVE, {"value": -1}),
    ({"penalty_cap": "-0.5"}, services.CAP_NEGATIVE, {"value": "-0.5"}),
]


@pytest.mark.parametrize(("rules", "message", "params"), BAD_RULES)
def test_bad_rules_are_refused_on_create_and_update(pledge, world, rules, message, params):
    title = rules.pop("title", "Giao ước")
    with pytest.raises(ValidationError) as exc:
        services.pledge_create(bloc=world.other_bloc, year=YEAR, title=title, **rules)
    refused(exc, message, **params)
    assert not Pledge.objects.filter(bloc=world.other_bloc).exists()

    before = Pledge.objects.values().get(pk=pledge.pk)
    with pytest.raises(ValidationError) as exc:
        services.pledge_update_rules(pledge=pledge, title=title, **rules)
    refused(exc, message, **params)
    assert Pledge.objects.values().get(pk=pledge.pk) == before


def test_rule_errors_are_keyed_by_field_for_forms(world):
    with pytest.raises(ValidationError) as exc:
        services.check_pledge_rules(
            bloc=world.bloc, year=YEAR, leading_units=0, tie_break_order=["x"]
        )
    assert set(exc.value.error_dict) == {"leading_units", "tie_break_order"}


def test_update_rules_changes_them_and_records_the_actor(pledge, world):
    launch = _meeting(world.bloc)
    review = _meeting(world.bloc, kind=Meeting.Kind.YEAR_END)
    services.pledge_update_rules(
        pledge=pledge,
        actor=world.users["secretariat"],
        title="Giao ước mới",
        scoring_method=Pledge.ScoringMethod.CROSS_TRIMMED,
        vote_threshold_strict=False,
        vote_base=Pledge.VoteBase.VALID,
        registration_deadline=datetime.date(YEAR, 3, 31),
        launch_meeting=launch,
        review_meeting=review,
        bonus_cap=None,
    )
    pledge.refresh_from_db()
    assert pledge.title == "Giao ước mới"
    assert pledge.scoring_method == Pledge.ScoringMethod.CROSS_TRIMMED
    assert (pledge.launch_meeting, pledge.review_meeting) == (launch, review)
    assert pledge.bonus_cap is None
    assert pledge.history.first().history_user == world.users["secretariat"]


@pytest.mark.parametrize(
    ("field", "which"),
    [
        ("launch_meeting", "other_bloc"),
        ("launch_meeting", "two_years_before"),
        ("review_meeting", "other_bloc"),
        ("review_meeting", "year_before"),
    ],
)
def test_meetings_must_be_of_the_bloc_and_year(pledge, world, field, which):
    if which == "other_bloc":
        meeting = _meeting(world.other_bloc)
    else:
        meeting = _meeting(world.bloc, year=YEAR - (2 if which == "two_years_before" else 1))
    with pytest.raises(ValidationError) as exc:
        services.pledge_update_rules(pledge=pledge, **{field: meeting})
    refused(exc, services.MEETING_NOT_OF_PLEDGE, meeting=meeting, bloc=world.bloc, year=YEAR)
    pledge.refresh_from_db()
    assert getattr(pledge, field) is None


def test_the_launch_may_be_last_years_review(pledge, world):
    # Lê Chân signed its 2021 pledge at the review of 2020 (07/01/2021).
    review = _meeting(world.bloc, year=YEAR - 1, kind=Meeting.Kind.YEAR_END)
    services.pledge_update_rules(pledge=pledge, launch_meeting=review)
    pledge.refresh_from_db()
    assert pledge.launch_meeting == review


def test_update_rules_refuses_an_unknown_field(pledge):
    with pytest.raises(TypeError):
        services.pledge_update_rules(pledge=pledge, status="closed")


# ---------------------------------------------------------------------------
# Start from last year's pledge
# ---------------------------------------------------------------------------


def _tree(pledge):
    return sorted(
        (c.code, c.parent.code if c.parent else None, c.max_points, c.bonus_cap)
        for c in pledge.criteria.select_related("parent")
    )


def test_copy_from_previous_copies_contents_tree_rules_and_quotas(pledge, world):
    title = EmulationTitleFactory(code="co-td-tinh-test")
    CommendationQuota.objects.create(pledge=pledge, title=title, max_percent=20)
    _set_status(pledge, S.CLOSED)
    Pledge.objects.filter(pk=pledge.pk).update(
        penalty_cap=Decimal("3"),
        vote_threshold=Decimal("66.67"),
        vote_base=Pledge.VoteBase.PRESENT,
        leading_units=2,
        scoring_method=Pledge.ScoringMethod.CROSS_AVERAGE,
        legal_basis="Căn cứ Luật Thi đua, khen thưởng năm 2022;",
        registration_deadline=datetime.date(YEAR, 3, 15),
    )
    pledge.refresh_from_db()

    copy = services.pledge_copy_from_previous(
        bloc=world.bloc, year=YEAR + 1, actor=world.users["admin"]
    )

    copy.refresh_from_db()
    assert copy.status == S.DRAFT
    assert copy.copied_from == pledge
    assert copy.title == pledge.title.replace(str(YEAR), str(YEAR + 1))
    for field in services.year_rules.COPIED_RULE_FIELDS:
        assert getattr(copy, field) == getattr(pledge, field), field
    assert copy.registration_deadline == datetime.date(YEAR + 1, 3, 15)
    assert [i.text for i in copy.items.all()] == [i.text for i in pledge.items.all()]
    assert _tree(copy) == _tree(pledge)
    # new rows, not moved ones
    assert not set(copy.criteria.values_list("pk", flat=True)) & set(
        pledge.criteria.values_list("pk", flat=True)
    )
    assert not set(copy.items.values_list("pk", flat=True)) & set(
        pledge.items.values_list("pk", flat=True)
    )
    assert all(c.parent.pledge_id == copy.pk for c in copy.criteria.exclude(parent=None))
    assert list(copy.quotas.values_list("title", "max_percent")) == [(title.pk, Decimal("20"))]
    # the source is untouched
    assert pledge.criteria.count() == 5 and pledge.quotas.count() == 1
    assert copy.history.first().history_user == world.users["admin"]


def test_copy_starts_from_the_latest_earlier_year(pledge, world):
    older = PledgeFactory(bloc=world.bloc, year=YEAR - 2, title="Năm cũ")
    PledgeItemFactory(pledge=older, text="Nội dung cũ")
    copy = services.pledge_copy_from_previous(bloc=world.bloc, year=YEAR + 1)
    assert copy.copied_from == pledge
    # and a year between two pledges starts from the one before it
    between = services.pledge_copy_from_previous(bloc=world.bloc, year=YEAR - 1)
    assert between.copied_from == older
    assert [i.text for i in between.items.all()] == ["Nội dung cũ"]


def test_copy_needs_an_earlier_pledge_and_a_free_year(pledge, world):
    with pytest.raises(ValidationError) as exc:
        services.pledge_copy_from_previous(bloc=world.bloc, year=YEAR - 1)
    refused(exc, services.NO_PREVIOUS_PLEDGE, bloc=world.bloc, year=YEAR - 1)
    with pytest.raises(ValidationError) as exc:
        services.pledge_copy_from_previous(bloc=world.bloc, year=YEAR)
    refused(exc, services.PLEDGE_EXISTS, bloc=world.bloc, year=YEAR)
    assert Pledge.objects.filter(bloc=world.bloc).count() == 1


# ---------------------------------------------------------------------------
# Contents
# ---------------------------------------------------------------------------


def test_save_items_adds_changes_and_removes(pledge, world):
    first, second, third = pledge.items.all()
    services.pledge_save_items(
        pledge=pledge,
        rows=[
            {"id": second.pk, "text": "Nội dung sửa", "order": 0},
            {"id": first.pk, "text": first.text, "order": 1},
            {"text": "  Nội dung mới ", "order": 2},
        ],
        actor=world.users["secretariat"],
    )
    assert [i.text for i in pledge.items.all()] == [
        "Nội dung sửa",
        first.text,
        "Nội dung mới",
    ]
    assert not PledgeItem.objects.filter(pk=third.pk).exists()
    assert PledgeItem.history.filter(id=third.pk, history_type="-").exists()


@pytest.mark.parametrize(
    ("rows", "message", "params"),
    [
        ([{"text": " ", "order": 0}], services.ITEM_TEXT_REQUIRED, {"number": 1}),
        ([{"id": 0, "text": "x", "order": 0}], services.ITEM_NOT_IN_PLEDGE, {"item": 0}),
    ],
)
def test_save_items_refusals(pledge, rows, message, params):
    before = list(pledge.items.values())
    with pytest.raises(ValidationError) as exc:
        services.pledge_save_items(pledge=pledge, rows=rows)
    refused(exc, message, **{"year": pledge.year, **params})
    assert list(pledge.items.values()) == before


def test_contents_are_fixed_once_signed(pledge):
    _set_status(pledge, S.SIGNED)
    with pytest.raises(ValidationError) as exc:
        services.pledge_save_items(pledge=pledge, rows=[{"text": "x", "order": 0}])
    refused(exc, services.ITEMS_FROZEN, status=S.SIGNED.label)
    assert pledge.items.count() == 3


def test_an_open_pledge_keeps_at_least_one_content(pledge):
    _set_status(pledge, S.OPEN)
    with pytest.raises(ValidationError) as exc:
        services.pledge_save_items(pledge=pledge, rows=[])
    refused(exc, services.OPEN_NEEDS_ITEMS)
    assert pledge.items.count() == 3


# ---------------------------------------------------------------------------
# Criteria tree
# ---------------------------------------------------------------------------


def test_children_may_add_up_exactly_to_the_parent(pledge):
    group = services.criterion_create(pledge=pledge, code="C", text="Nhóm C", max_points=10)
    services.criterion_create(pledge=pledge, parent=group, code="C1", text="x", max_points="9.99")
    services.criterion_create(pledge=pledge, parent=group, code="C2", text="y", max_points="0.01")
    assert sum(c.max_points for c in group.children.all()) == group.max_points


def test_children_over_the_parent_by_a_hundredth_are_refused(pledge, world):
    a = _criterion(pledge, "A")  # 40 = A1 15 + A2 25
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            pledge=pledge, parent=a, code="A3", text="Thêm", max_points=Decimal("0.01")
        )
    refused(exc, services.CHILDREN_OVER_PARENT, code="A", total="40,01", max="40")
    assert str(exc.value.messages[0]) == (
        "The sub-criteria of A add up to 40,01 points, more than its 40."
    )
    assert not Criterion.objects.filter(code="A3").exists()


def test_raising_a_child_over_its_parent_is_refused(pledge):
    a1 = _criterion(pledge, "A1")
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(criterion=a1, max_points="15.5")
    refused(exc, services.CHILDREN_OVER_PARENT, code="A", total="40,5", max="40")
    a1.refresh_from_db()
    assert a1.max_points == 15


def test_lowering_a_parent_below_its_children_is_refused(pledge):
    a = _criterion(pledge, "A")
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(criterion=a, max_points="39.99")
    refused(exc, services.CHILDREN_OVER_PARENT, code="A", total="40", max="39,99")
    a.refresh_from_db()
    assert a.max_points == 40
    services.criterion_update(criterion=a, max_points=40, text="Tiêu chí chung (sửa)")
    a.refresh_from_db()
    assert a.text == "Tiêu chí chung (sửa)"


def test_moving_a_criterion_checks_the_new_parent(pledge):
    a1 = _criterion(pledge, "A1")
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(criterion=a1, parent=_criterion(pledge, "B"))
    refused(exc, services.CHILDREN_OVER_PARENT, code="B", total="75", max="60")
    a1.refresh_from_db()
    assert a1.parent.code == "A"


def test_criteria_go_three_levels_deep_at_most(pledge):
    a1 = _criterion(pledge, "A1")
    sub = services.criterion_create(pledge=pledge, parent=a1, code="A1.1", text="x", max_points=5)
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(pledge=pledge, parent=sub, code="A1.1.a", text="y", max_points=1)
    refused(exc, services.CRITERION_TOO_DEEP, depth=3, code="A1.1.a", level=4)
    # moving a two-level branch under a criterion would make four levels too
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(criterion=a1, parent=_criterion(pledge, "B1"))
    refused(exc, services.CRITERION_TOO_DEEP, depth=3, code="A1.1", level=4)


def test_a_criterion_cannot_go_under_itself(pledge):
    a = _criterion(pledge, "A")
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(criterion=a, parent=_criterion(pledge, "A1"))
    refused(exc, services.CRITERION_CYCLE, code="A")


@pytest.mark.parametrize("code", ["A1", " A1 ", "a1"])
def test_codes_are_unique_in_a_pledge(pledge, code):
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(pledge=pledge, code=code, text="x", max_points=1)
    assert exc.value.code == "code_taken"
    assert Criterion.objects.filter(pledge=pledge).count() == 5
    # renaming onto another code is refused as well, in words
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(criterion=_criterion(pledge, "B1"), code="A2")
    refused(exc, services.CODE_TAKEN, code="A2")


def test_codes_may_repeat_across_pledges(pledge, world):
    other = PledgeFactory(bloc=world.other_bloc, year=YEAR)
    assert services.criterion_create(pledge=other, code="A", text="x", max_points=1).pk


def test_the_parent_must_be_of_the_same_pledge(pledge, world):
    other = PledgeFactory(bloc=world.other_bloc, year=YEAR)
    foreign = CriterionFactory(pledge=other, code="X", max_points=100)
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(pledge=pledge, parent=foreign, code="Z", text="x", max_points=1)
    refused(exc, services.PARENT_NOT_IN_PLEDGE, code="X")


@pytest.mark.parametrize("points", ["-1", "abc", None])
def test_max_points_must_be_a_number_of_zero_or_more(pledge, points):
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(pledge=pledge, code="C", text="x", max_points=points)
    refused(exc, services.MAX_POINTS_INVALID, code="C")


def test_delete_removes_the_branch(pledge, world):
    services.criterion_delete(criterion=_criterion(pledge, "A"), actor=world.users["admin"])
    assert sorted(pledge.criteria.values_list("code", flat=True)) == ["B", "B1"]


@pytest.mark.parametrize("status", [S.SIGNED, S.SCORING])
def test_criteria_are_frozen_once_signed(pledge, status):
    _set_status(pledge, status)
    a1 = _criterion(pledge, "A1")
    calls = [
        lambda: services.criterion_create(pledge=pledge, code="C", text="x", max_points=1),
        lambda: services.criterion_update(criterion=a1, max_points=1),
        lambda: services.criterion_delete(criterion=a1),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as exc:
            call()
        refused(exc, services.CRITERIA_FROZEN, status=Pledge.Status(status).label)
    a1.refresh_from_db()
    assert a1.max_points == 15 and pledge.criteria.count() == 5


def test_criteria_stay_editable_while_open(pledge):
    _set_status(pledge, S.OPEN)
    services.criterion_update(criterion=_criterion(pledge, "A1"), max_points=10)
    services.criterion_create(
        pledge=pledge, parent=_criterion(pledge, "A"), code="A3", text="x", max_points=5
    )


def test_check_criteria_tree_accepts_the_fixture_tree_and_names_the_problem():
    nodes = [
        {"key": 1, "parent": None, "code": "A", "max_points": 10},
        {"key": 2, "parent": 1, "code": "A1", "max_points": 6},
        {"key": 3, "parent": 1, "code": "A2", "max_points": 4},
    ]
    services.check_criteria_tree(nodes)
    nodes[2]["max_points"] = "4.01"
    with pytest.raises(ValidationError) as exc:
        services.check_criteria_tree(nodes)
    refused(exc, services.CHILDREN_OVER_PARENT, code="A", total="10,01", max="10")
    with pytest.raises(ValidationError) as exc:
        services.check_criteria_tree([*nodes[:2], {**nodes[1], "key": 4}])
    refused(exc, services.CODE_TAKEN, code="A1")


# ---------------------------------------------------------------------------
# Quotas
# ---------------------------------------------------------------------------


def test_quota_set_creates_then_updates(pledge, world):
    title = EmulationTitleFactory(code="co-quota")
    quota = services.quota_set(pledge=pledge, title=title, max_percent=20, base="leading")
    again = services.quota_set(pledge=pledge, title=title, max_count=1, base="members")
    assert again.pk == quota.pk
    again.refresh_from_db()
    assert (again.max_percent, again.max_count, again.base) == (None, 1, "members")
    services.quota_delete(quota=again)
    assert not pledge.quotas.exists()


@pytest.mark.parametrize(
    ("kwargs", "message", "params"),
    [
        ({}, services.QUOTA_EMPTY, {}),
        ({"max_percent": "100.5"}, services.QUOTA_PERCENT_RANGE, {"value": "100.5"}),
    ],
)
def test_quota_refusals(pledge, kwargs, message, params):
    title = EmulationTitleFactory(code="co-quota")
    with pytest.raises(ValidationError) as exc:
        services.quota_set(pledge=pledge, title=title, base="members", **kwargs)
    refused(exc, message, **{"title": title, **params})
    assert not pledge.quotas.exists()


# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------

ORDER = services.STATUS_ORDER


@pytest.mark.parametrize("current", ORDER[:-1])
@pytest.mark.parametrize("target", ORDER)
def test_status_moves_one_step_forward_only(pledge, current, target):
    _set_status(pledge, current)
    following = ORDER[ORDER.index(current) + 1]
    if target == following:
        services.pledge_set_status(pledge=pledge, status=target)
        pledge.refresh_from_db()
        assert pledge.status == target
        return
    with pytest.raises(ValidationError) as exc:
        services.pledge_set_status(pledge=pledge, status=target)
    refused(
        exc,
        services.STATUS_NOT_NEXT,
        current=Pledge.Status(current).label,
        next=Pledge.Status(following).label,
        target=Pledge.Status(target).label,
    )
    pledge.refresh_from_db()
    assert pledge.status == current


@pytest.mark.parametrize("target", [*ORDER, "archived"])
def test_a_closed_pledge_moves_nowhere(pledge, target):
    _set_status(pledge, S.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.pledge_set_status(pledge=pledge, status=target)
    refused(exc, services.PLEDGE_CLOSED, year=pledge.year)


def test_an_unknown_status_is_refused(pledge):
    with pytest.raises(ValidationError) as exc:
        services.pledge_set_status(pledge=pledge, status="archived")
    refused(
        exc, services.STATUS_NOT_NEXT, current="Draft", next="Open for signing", target="archived"
    )


def test_status_changes_record_the_actor_and_update_the_given_instance(pledge, world):
    services.pledge_set_status(pledge=pledge, status=S.OPEN, actor=world.users["secretariat"])
    assert pledge.status == S.OPEN
    assert pledge.history.first().history_user == world.users["secretariat"]


def test_opening_needs_a_content(world):
    bare = PledgeFactory(bloc=world.bloc, year=YEAR)
    CriterionFactory(pledge=bare, code="A")
    with pytest.raises(ValidationError) as exc:
        services.pledge_set_status(pledge=bare, status=S.OPEN)
    refused(exc, services.OPEN_NEEDS_ITEMS)
    bare.refresh_from_db()
    assert bare.status == S.DRAFT


def test_opening_needs_a_criterion_and_a_valid_tree(world):
    bare = PledgeFactory(bloc=world.bloc, year=YEAR)
    PledgeItemFactory(pledge=bare)
    with pytest.raises(ValidationError) as exc:
        services.pledge_set_status(pledge=bare, status=S.OPEN)
    refused(exc, services.OPEN_NEEDS_CRITERIA)
    # a tree written around the services (fixtures, raw SQL) is checked on opening
    a = CriterionFactory(pledge=bare, code="A", max_points=10)
    CriterionFactory(pledge=bare, parent=a, code="A1", max_points=11)
    with pytest.raises(ValidationError) as exc:
        services.pledge_set_status(pledge=bare, status=S.OPEN)
    refused(exc, services.CHILDREN_OVER_PARENT, code="A", total="11", max="10")
    bare.refresh_from_db()
    assert bare.status == S.DRAFT


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reopening_needs_a_reason(pledge, reason):
    _set_status(pledge, S.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.pledge_reopen(pledge=pledge, reason=reason)
    refused(exc, services.REOPEN_NEEDS_REASON)
    pledge.refresh_from_db()
    assert pledge.status == S.CLOSED


def test_reopening_goes_back_to_scoring_with_the_reason_in_history(pledge, world):
    _set_status(pledge, S.CLOSED)
    services.pledge_reopen(
        pledge=pledge, reason="  Sửa điểm B1 của Thành đoàn ", actor=world.users["admin"]
    )
    pledge.refresh_from_db()
    assert pledge.status == S.SCORING
    record = pledge.history.first()
    assert record.history_change_reason == "Sửa điểm B1 của Thành đoàn"
    assert record.history_user == world.users["admin"]


@pytest.mark.parametrize("status", ORDER[:-1])
def test_only_a_closed_pledge_can_be_reopened(pledge, status):
    _set_status(pledge, status)
    with pytest.raises(ValidationError) as exc:
        services.pledge_reopen(pledge=pledge, reason="Lý do")
    refused(exc, services.REOPEN_NOT_CLOSED, status=Pledge.Status(status).label)


# ---------------------------------------------------------------------------
# Every write refuses a closed pledge
# ---------------------------------------------------------------------------


def _writes(pledge, world, actor=None, org_index=2):
    """Every pledge-side write, as `actor`; signing and registering for world.orgs[org_index]."""
    a1 = _criterion(pledge, "A1")
    title = EmulationTitleFactory(code="co-closed")
    quota = CommendationQuota.objects.create(pledge=pledge, title=title, max_count=1)
    signature = PledgeSignature.objects.create(
        pledge=pledge,
        organization=world.orgs[1],
        signer_name="Nguyễn Văn A",
        signer_position="Bí thư",
        signed_at=timezone.now(),
    )
    return {
        "update_rules": lambda: services.pledge_update_rules(pledge=pledge, title="x", actor=actor),
        "save_items": lambda: services.pledge_save_items(pledge=pledge, rows=[], actor=actor),
        "criterion_create": lambda: services.criterion_create(
            pledge=pledge, code="Z", text="z", max_points=1, actor=actor
        ),
        "criterion_update": lambda: services.criterion_update(criterion=a1, text="z", actor=actor),
        "criterion_delete": lambda: services.criterion_delete(criterion=a1, actor=actor),
        "quota_set": lambda: services.quota_set(
            pledge=pledge, title=title, max_count=2, actor=actor
        ),
        "quota_delete": lambda: services.quota_delete(quota=quota, actor=actor),
        "set_status": lambda: services.pledge_set_status(
            pledge=pledge, status=S.CLOSED, actor=actor
        ),
        "sign": lambda: services.pledge_sign(
            pledge=pledge,
            organization=world.orgs[org_index],
            signer_name="B",
            signer_position="Chủ tịch",
            actor=actor,
        ),
        "signature_delete": lambda: services.signature_delete(signature=signature, actor=actor),
        "registration": lambda: services.registration_save(
            pledge=pledge, organization=world.orgs[org_index], titles=[], targets=[], actor=actor
        ),
    }


WRITES = [
    "update_rules",
    "save_items",
    "criterion_create",
    "criterion_update",
    "criterion_delete",
    "quota_set",
    "quota_delete",
    "set_status",
    "sign",
    "signature_delete",
    "registration",
]


@pytest.mark.parametrize("write", WRITES)
def test_every_write_refuses_a_closed_pledge(pledge, world, write):
    call = _writes(pledge, world)[write]
    _set_status(pledge, S.CLOSED)
    before = (
        Pledge.objects.values().get(pk=pledge.pk),
        list(Criterion.objects.filter(pledge=pledge).values()),
        list(PledgeItem.objects.filter(pledge=pledge).values()),
        list(CommendationQuota.objects.filter(pledge=pledge).values()),
        list(PledgeSignature.objects.filter(pledge=pledge).values()),
        Registration.objects.count(),
    )
    with pytest.raises(ValidationError) as exc:
        call()
    refused(exc, services.PLEDGE_CLOSED, year=pledge.year)
    after = (
        Pledge.objects.values().get(pk=pledge.pk),
        list(Criterion.objects.filter(pledge=pledge).values()),
        list(PledgeItem.objects.filter(pledge=pledge).values()),
        list(CommendationQuota.objects.filter(pledge=pledge).values()),
        list(PledgeSignature.objects.filter(pledge=pledge).values()),
        Registration.objects.count(),
    )
    assert after == before


def _everything(pledge):
    return (
        Pledge.objects.values().get(pk=pledge.pk),
        list(Criterion.objects.filter(pledge=pledge).values()),
        list(PledgeItem.objects.filter(pledge=pledge).values()),
        list(CommendationQuota.objects.filter(pledge=pledge).values()),
        list(PledgeSignature.objects.filter(pledge=pledge).values()),
        Registration.objects.count(),
    )


@pytest.mark.parametrize("status", [S.DRAFT, S.OPEN])
@pytest.mark.parametrize("write", WRITES)
def test_every_write_refuses_a_member_acting_beyond_its_own(pledge, world, write, status):
    # The member's official acts for world.orgs[2] only: not for the secretariat, not for
    # world.orgs[3]; the services refuse it whoever calls them (the admin, a command, an API).
    call = _writes(pledge, world, actor=world.users["member"], org_index=3)[write]
    _set_status(pledge, status)
    before = _everything(pledge)
    with pytest.raises(PermissionDenied):
        call()
    assert _everything(pledge) == before


@pytest.mark.parametrize("write", ["sign", "registration"])
def test_a_member_signs_and_registers_for_its_own_organization(pledge, world, write):
    _set_status(pledge, S.OPEN)
    _writes(pledge, world, actor=world.users["member"], org_index=2)[write]()


@pytest.mark.parametrize("copy", [False, True])
def test_creating_a_year_is_for_that_year_s_secretariat(pledge, world, copy):
    year = YEAR - 1
    create = services.pledge_copy_from_previous if copy else services.pledge_create
    kwargs = {} if copy else {"title": "Giao ước"}
    PledgeFactory(bloc=world.bloc, year=YEAR - 2)
    with pytest.raises(PermissionDenied):
        create(bloc=world.bloc, year=year, actor=world.users["member"], **kwargs)
    assert not Pledge.objects.filter(bloc=world.bloc, year=year).exists()
    create(bloc=world.bloc, year=year, actor=world.users["admin"], **kwargs)
    assert Pledge.objects.filter(bloc=world.bloc, year=year).exists()


# ---------------------------------------------------------------------------
# Signing
# ---------------------------------------------------------------------------


@pytest.fixture
def open_pledge(pledge):
    return _set_status(pledge, S.OPEN)


def test_a_member_signs_once(open_pledge, world):
    before = timezone.now()
    signature = services.pledge_sign(
        pledge=open_pledge,
        organization=world.orgs[2],
        signer_name=" Trần Thị B ",
        signer_position="Chủ tịch Liên đoàn Lao động thành phố",
        actor=world.users["member"],
    )
    assert signature.signer_name == "Trần Thị B"
    assert signature.signed_at >= before
    assert signature.recorded_by == world.users["member"]
    assert signature.history.first().history_user == world.users["member"]

    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            pledge=open_pledge,
            organization=world.orgs[2],
            signer_name="Người khác",
            signer_position="Phó Chủ tịch",
        )
    refused(exc, services.ALREADY_SIGNED, organization=world.orgs[2], year=YEAR)
    assert PledgeSignature.objects.filter(pledge=open_pledge).count() == 1


def test_the_secretariat_records_a_signature_at_the_launch_meeting(open_pledge, world):
    meeting = _meeting(world.bloc)
    signed_at = timezone.now() - datetime.timedelta(days=3)
    signature = services.pledge_sign(
        pledge=open_pledge,
        organization=world.orgs[3],
        signer_name="Lê Văn C",
        signer_position="Chủ tịch",
        signed_at=signed_at,
        meeting=meeting,
        actor=world.users["secretariat"],
    )
    assert (signature.meeting, signature.signed_at) == (meeting, signed_at)


def test_a_non_member_cannot_sign(open_pledge, world):
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            pledge=open_pledge,
            organization=world.outsider_org,
            signer_name="Phạm Văn D",
            signer_position="Chủ tịch",
        )
    refused(exc, services.NOT_A_MEMBER, organization=world.outsider_org, bloc=world.bloc, year=YEAR)
    assert not PledgeSignature.objects.exists()


def test_a_former_member_cannot_sign(open_pledge, world):
    world.orgs[3].memberships.filter(bloc=world.bloc).update(last_year=YEAR - 1)
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            pledge=open_pledge, organization=world.orgs[3], signer_name="E", signer_position="F"
        )
    refused(exc, services.NOT_A_MEMBER, organization=world.orgs[3], bloc=world.bloc, year=YEAR)


@pytest.mark.parametrize("status", [S.DRAFT, S.SIGNED, S.SCORING])
def test_signing_only_while_open(pledge, world, status):
    _set_status(pledge, status)
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            pledge=pledge, organization=world.orgs[2], signer_name="A", signer_position="B"
        )
    refused(exc, services.SIGNING_NOT_OPEN, status=Pledge.Status(status).label)
    assert not PledgeSignature.objects.exists()


@pytest.mark.parametrize(("name", "position"), [("", "Chủ tịch"), ("Trần B", " "), (None, None)])
def test_signer_name_and_position_are_required(open_pledge, world, name, position):
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            pledge=open_pledge,
            organization=world.orgs[2],
            signer_name=name,
            signer_position=position,
        )
    refused(exc, services.SIGNER_REQUIRED)
    assert not PledgeSignature.objects.exists()


def test_the_meeting_must_be_the_bloc_s_that_year(open_pledge, world):
    meeting = _meeting(world.other_bloc)
    with pytest.raises(ValidationError) as exc:
        services.pledge_sign(
            pledge=open_pledge,
            organization=world.orgs[2],
            signer_name="A",
            signer_position="B",
            meeting=meeting,
        )
    refused(exc, services.MEETING_NOT_OF_PLEDGE, meeting=meeting, bloc=world.bloc, year=YEAR)
    assert not PledgeSignature.objects.exists()


def test_a_signature_is_withdrawn_only_while_open(open_pledge, world):
    signature = services.pledge_sign(
        pledge=open_pledge, organization=world.orgs[2], signer_name="A", signer_position="B"
    )
    _set_status(open_pledge, S.SIGNED)
    with pytest.raises(ValidationError) as exc:
        services.signature_delete(signature=signature)
    refused(exc, services.SIGNATURE_LOCKED, status=S.SIGNED.label)
    assert PledgeSignature.objects.filter(pk=signature.pk).exists()
    _set_status(open_pledge, S.OPEN)
    services.signature_delete(signature=signature, actor=world.users["secretariat"])
    assert not PledgeSignature.objects.exists()


# ---------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------

DEADLINE = datetime.date(YEAR, 3, 31)


@pytest.fixture
def reg_pledge(pledge):
    Pledge.objects.filter(pk=pledge.pk).update(registration_deadline=DEADLINE)
    pledge.refresh_from_db()
    return pledge


def _targets(pledge):
    first, second, _third = pledge.items.all()
    return [
        {"item": first, "text": "Phát triển đoàn viên mới", "number": "1500", "unit": "đoàn viên"},
        {"item": second, "text": "Tổ chức 2 hội thi", "number": None},
    ]


def test_registration_saves_titles_and_targets(reg_pledge, world):
    flag = EmulationTitle.objects.get(code="co-td-tinh")
    registration = services.registration_save(
        pledge=reg_pledge,
        organization=world.orgs[2],
        titles=[flag],
        targets=_targets(reg_pledge),
        note="Đăng ký thi đua",
        actor=world.users["member"],
        today=DEADLINE,  # the deadline day itself is still open
    )
    assert list(registration.titles.all()) == [flag]
    assert registration.submitted_at is None
    rows = list(registration.targets.values_list("text", "number", "unit"))
    assert rows == [
        ("Phát triển đoàn viên mới", Decimal("1500"), "đoàn viên"),
        ("Tổ chức 2 hội thi", None, ""),
    ]
    assert registration.updated_by == world.users["member"]


def test_saving_again_replaces_the_targets_and_submit_stamps_the_time(reg_pledge, world):
    kwargs = {"pledge": reg_pledge, "organization": world.orgs[2], "today": DEADLINE}
    services.registration_save(titles=[], targets=_targets(reg_pledge), **kwargs)
    third = reg_pledge.items.all()[2]
    registration = services.registration_save(
        titles=[],
        targets=[{"item": third, "text": "Chỉ tiêu mới", "number": 3}, {"item": third, "text": ""}],
        submit=True,
        **kwargs,
    )
    assert Registration.objects.count() == 1
    assert list(registration.targets.values_list("item", "text")) == [(third.pk, "Chỉ tiêu mới")]
    assert registration.submitted_at is not None


def test_registration_after_the_deadline_is_refused_and_nothing_changes(reg_pledge, world):
    kwargs = {"pledge": reg_pledge, "organization": world.orgs[2], "titles": []}
    registration = services.registration_save(
        targets=_targets(reg_pledge), today=DEADLINE, **kwargs
    )
    before = list(RegistrationTarget.objects.values())
    with pytest.raises(ValidationError) as exc:
        services.registration_save(
            targets=[], submit=True, today=DEADLINE + datetime.timedelta(days=1), **kwargs
        )
    refused(exc, services.REGISTRATION_CLOSED, year=YEAR, deadline=f"31/03/{YEAR}")
    assert f"31/03/{YEAR}" in exc.value.messages[0]
    assert list(RegistrationTarget.objects.values()) == before
    registration.refresh_from_db()
    assert registration.submitted_at is None


def test_registration_uses_today_when_not_given(pledge, world):
    Pledge.objects.filter(pk=pledge.pk).update(
        registration_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    pledge.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.registration_save(pledge=pledge, organization=world.orgs[2], titles=[], targets=[])
    assert exc.value.code == "registration_closed"


def test_registration_refusals(reg_pledge, world):
    other = PledgeFactory(bloc=world.other_bloc, year=YEAR)
    foreign_item = PledgeItemFactory(pledge=other, text="Nội dung khối khác")
    item = reg_pledge.items.first()
    retired = EmulationTitleFactory(code="retired", name="Cờ cũ", is_active=False)
    base = {"pledge": reg_pledge, "organization": world.orgs[2], "titles": [], "targets": []}
    cases = [
        (
            {"organization": world.outsider_org},
            services.NOT_A_MEMBER,
            {"organization": world.outsider_org, "bloc": world.bloc, "year": YEAR},
        ),
        ({"titles": [retired]}, services.TITLE_INACTIVE, {"title": retired}),
        (
            {"targets": [{"item": foreign_item, "text": "x"}]},
            services.ITEM_NOT_IN_PLEDGE,
            {"item": foreign_item, "year": YEAR},
        ),
        (
            {"targets": [{"item": item, "text": " ", "number": 5}]},
            services.TARGET_NEEDS_TEXT,
            {"item": item},
        ),
        (
            {"targets": [{"item": item, "text": "x", "number": "nhiều"}]},
            services.TARGET_NUMBER_INVALID,
            {"item": item},
        ),
        (
            {"targets": [{"item": item, "text": "x"}, {"item": item, "text": "y"}]},
            services.TARGET_TWICE,
            {"item": item},
        ),
    ]
    for change, message, params in cases:
        with pytest.raises(ValidationError) as exc:
            services.registration_save(**{**base, **change}, today=DEADLINE)
        refused(exc, message, **params)
    assert not Registration.objects.exists()
    assert not RegistrationTarget.objects.exists()


def test_seeded_titles_are_there(db):
    codes = set(EmulationTitle.objects.values_list("code", flat=True))
    assert {"co-td-cp", "co-td-tinh", "bk-ttg", "bk-tinh", "giay-khen", "htxs-nv"} <= codes
    assert EmulationTitle.objects.get(code="bk-ttg").kind == "commendation"


def test_the_seed_migration_is_idempotent(db):
    import importlib

    from django.apps import apps

    seed = importlib.import_module("pledges.migrations.0002_seed_titles")
    count = EmulationTitle.objects.count()
    EmulationTitle.objects.filter(code="giay-khen").update(name="Sai tên")
    seed.seed_titles(apps, None)
    assert EmulationTitle.objects.count() == count
    assert EmulationTitle.objects.get(code="giay-khen").name == "Giấy khen"


def test_reopening_is_for_the_secretariat(pledge, world):
    _set_status(pledge, S.CLOSED)
    with pytest.raises(PermissionDenied):
        services.pledge_reopen(pledge=pledge, reason="Sửa điểm", actor=world.users["member"])
    pledge.refresh_from_db()
    assert pledge.status == S.CLOSED
    services.pledge_reopen(pledge=pledge, reason="Sửa điểm", actor=world.users["secretariat"])
    assert pledge.status == S.SCORING


def test_the_quota_rule_is_one_pure_check(db):
    title = EmulationTitleFactory()
    assert services.check_quota(title=title, max_percent="12,5") == Decimal("12.5")
    assert services.check_quota(title=title, max_count=2) is None
    with pytest.raises(ValidationError) as exc:
        services.check_quota(title=title)
    refused(exc, services.QUOTA_EMPTY, title=title)
    with pytest.raises(ValidationError) as exc:
        services.check_quota(title=title, max_percent="101")
    refused(exc, services.QUOTA_PERCENT_RANGE, value="101")


def test_the_registration_deadline_is_one_pure_check(reg_pledge):
    assert not services.registration_late(reg_pledge, DEADLINE)
    assert services.registration_late(reg_pledge, DEADLINE + datetime.timedelta(days=1))
    services.check_registration_open(reg_pledge, DEADLINE)
    with pytest.raises(ValidationError) as exc:
        services.check_registration_open(reg_pledge, DEADLINE + datetime.timedelta(days=1))
    refused(exc, services.REGISTRATION_CLOSED, year=YEAR, deadline=DEADLINE.strftime("%d/%m/%Y"))


@pytest.mark.parametrize(
    ("rules", "field", "words"),
    [
        (
            {"scoring_deadline": datetime.date(YEAR - 1, 11, 30)},
            "scoring_deadline",
            "before the emulation year",
        ),
        (
            {"registration_deadline": datetime.date(YEAR - 1, 12, 31)},
            "registration_deadline",
            "before the emulation year",
        ),
        (
            {
                "registration_deadline": datetime.date(YEAR, 6, 30),
                "scoring_deadline": datetime.date(YEAR, 3, 31),
            },
            "scoring_deadline",
            "comes before the registration deadline",
        ),
    ],
)
def test_update_rules_refuses_a_deadline_before_the_year_or_out_of_order(
    pledge, rules, field, words
):
    before = Pledge.objects.filter(pk=pledge.pk).values().get()
    with pytest.raises(ValidationError) as exc:
        services.pledge_update_rules(pledge=pledge, **rules)
    messages = exc.value.message_dict[field]
    assert any(words in m for m in messages), messages
    assert any("/" in m for m in messages)  # the date as dd/mm/yyyy, as it was typed
    assert Pledge.objects.filter(pk=pledge.pk).values().get() == before


def test_a_negative_target_is_refused_and_nothing_is_saved(pledge, world):
    item = pledge.items.first()
    with pytest.raises(ValidationError) as exc:
        services.registration_save(
            pledge=pledge,
            organization=world.orgs[2],
            titles=[],
            targets=[
                {"item": item, "text": "Kết nạp hội viên mới", "number": "-5", "unit": "người"}
            ],
        )
    assert exc.value.code == "target_negative"
    assert not RegistrationTarget.objects.exists()
