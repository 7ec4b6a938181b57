"""pledges.ranking: final points per method, caps, floor, classification, ranks and ties,
and the loaders' fixed number of queries."""

from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from blocs.models import current_year
from pledges.models import Adjustment, Criterion, Pledge, Score, ScoreSheet
from pledges.ranking import (
    MemberResult,
    classify,
    compute_results,
    final_points,
    member_totals,
    rank,
    results_over_years,
)
from tests.factories import (
    BlocFactory,
    CriterionFactory,
    MembershipFactory,
    OrganizationFactory,
    PledgeFactory,
)

SV = Pledge.ScoringMethod.SELF_VERIFIED
AVG = Pledge.ScoringMethod.CROSS_AVERAGE
TRIM = Pledge.ScoringMethod.CROSS_TRIMMED


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in their English msgids, whatever the .po says later.
    with translation.override("en"):
        yield


@dataclass(frozen=True)
class Org:
    pk: int
    short_name: str

    def __str__(self) -> str:
        return self.short_name


# Final points per method -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "self_value", "verified", "cross", "expected"),
    [
        (SV, D("12"), D("10.5"), [], D("10.50")),  # verification wins
        (SV, D("12"), None, [], D("12.00")),  # else the submitted self-score
        (SV, None, D("0"), [], D("0.00")),  # a verified 0 is a score
        (SV, None, None, [], None),  # nothing yet
        (SV, None, None, [D("9")], None),  # cross sheets do not count here
        (AVG, D("12"), None, [D("8"), D("9"), D("10")], D("9.00")),
        (AVG, None, None, [D("10"), D("9"), D("9")], D("9.33")),  # rounded half-up
        (AVG, None, None, [D("10"), D("9.01")], D("9.51")),  # 9.505 -> 9.51
        (AVG, None, None, [], None),
        (TRIM, None, None, [D("2"), D("9"), D("10")], D("9.00")),  # drop 2 and 10
        (TRIM, None, None, [D("2"), D("8"), D("9"), D("10")], D("8.50")),
        (TRIM, None, None, [D("5"), D("5"), D("5")], D("5.00")),  # equal values: one each
        (TRIM, None, None, [D("2"), D("10")], D("6.00")),  # < 3 scorers: plain mean
        (TRIM, None, None, [D("7")], D("7.00")),
        (TRIM, None, None, [], None),
    ],
)
def test_final_points_by_method(method, self_value, verified, cross, expected):
    result = final_points(
        method, self_value=self_value, verified_value=verified, cross_values=cross
    )
    assert result == expected
    assert result is None or isinstance(result, D)


# Totals: caps and the floor ----------------------------------------------------------------

G1, G2 = 1, 2
LEAF_GROUP = {11: G1, 12: G1, 21: G2}


@pytest.mark.parametrize(
    ("leaf_bonus", "bonus_lines", "penalty_lines", "bonus_cap", "penalty_cap", "expected"),
    [
        # base is 10 + 20 + 30 = 60 in every case: (bonus, penalty, total)
        ({}, D("0"), D("0"), None, None, (D("0"), D("0"), D("60"))),
        ({21: D("3")}, D("4"), D("0"), None, None, (D("7"), D("0"), D("67"))),
        ({21: D("3")}, D("4"), D("0"), D("5"), None, (D("5"), D("0"), D("65"))),  # capped
        ({21: D("3")}, D("2"), D("0"), D("5"), None, (D("5"), D("0"), D("65"))),  # at the cap
        ({}, D("0"), D("12.5"), None, None, (D("0"), D("12.5"), D("47.5"))),
        ({}, D("0"), D("12.5"), None, D("10"), (D("0"), D("10"), D("50"))),  # capped
        ({}, D("0"), D("80"), None, None, (D("0"), D("80"), D("0"))),  # floored at 0
        ({}, D("1"), D("61"), None, None, (D("1"), D("61"), D("0"))),  # exactly 0
        ({}, D("1.5"), D("0.25"), D("0"), D("0"), (D("0"), D("0"), D("60"))),  # caps of 0
    ],
)
def test_member_totals_caps_and_floor(
    leaf_bonus, bonus_lines, penalty_lines, bonus_cap, penalty_cap, expected
):
    result = member_totals(
        Org(1, "A"),
        group_ids=[G1, G2],
        leaf_group=LEAF_GROUP,
        leaf_points={11: D("10"), 12: D("20"), 21: D("30")},
        leaf_bonus=leaf_bonus,
        bonus_lines=bonus_lines,
        penalty_lines=penalty_lines,
        bonus_cap=bonus_cap,
        penalty_cap=penalty_cap,
    )
    assert result.group_points == {G1: D("30"), G2: D("30")}
    assert result.base_points == D("60")
    assert (result.bonus, result.penalty, result.total) == expected
    assert result.scored


def test_member_without_scores_has_zero_base():
    result = member_totals(
        Org(1, "A"),
        group_ids=[G1, G2],
        leaf_group=LEAF_GROUP,
        leaf_points={},
        bonus_lines=D("2"),
    )
    assert (result.base_points, result.total, result.scored) == (D("0"), D("2"), False)
    assert result.group_points == {G1: D("0"), G2: D("0")}


# Classification ----------------------------------------------------------------------------

BANDS = [
    {"name": "Hoàn thành xuất sắc nhiệm vụ", "min": 90},
    {"name": "Hoàn thành tốt nhiệm vụ", "min": "70.5"},
    {"name": "Hoàn thành nhiệm vụ", "min": 50},
]


@pytest.mark.parametrize(
    ("total", "bands", "expected"),
    [
        (D("100"), BANDS, "Hoàn thành xuất sắc nhiệm vụ"),
        (D("90"), BANDS, "Hoàn thành xuất sắc nhiệm vụ"),  # exactly at the min
        (D("89.99"), BANDS, "Hoàn thành tốt nhiệm vụ"),
        (D("70.50"), BANDS, "Hoàn thành tốt nhiệm vụ"),
        (D("70.49"), BANDS, "Hoàn thành nhiệm vụ"),
        (D("50"), BANDS, "Hoàn thành nhiệm vụ"),
        (D("49.99"), BANDS, ""),  # below every band
        (D("0"), [*BANDS, {"name": "Không hoàn thành", "min": 0}], "Không hoàn thành"),
        (D("95"), [], ""),
        (D("95"), [{"name": "Bad", "min": "x"}, {"name": "Ok", "min": 10}], "Ok"),
    ],
)
def test_classify_band_edges(total, bands, expected):
    assert classify(total, bands) == expected


# Ranking and ties --------------------------------------------------------------------------


def member(pk, total, *, base=None, bonus="0", penalty="0", first="0", scored=True):
    base = D(total) if base is None else D(base)
    return MemberResult(
        organization=Org(pk, f"Org{pk}"),
        group_points={1: D(first), 2: base - D(first)},
        base_points=base,
        bonus=D(bonus),
        penalty=D(penalty),
        total=D(total),
        scored=scored,
    )


def ranks(rows):
    return [(m.organization.pk, m.rank, m.tied) for m in rows]


@pytest.mark.parametrize(
    ("tie_break", "rows", "expected"),
    [
        # base points: 2 has more points before bonus and penalty
        (
            ["base_points"],
            [member(1, "80", base="78", bonus="2"), member(2, "80", base="80")],
            [(2, 1, False), (1, 2, False)],
        ),
        # bonus: 1 has more bonus
        (
            ["bonus"],
            [member(2, "80", base="79", bonus="1"), member(1, "80", base="77", bonus="3")],
            [(1, 1, False), (2, 2, False)],
        ),
        # penalty: fewer penalty points first
        (
            ["penalty"],
            [member(1, "80", base="82", penalty="2"), member(2, "80", base="81", penalty="1")],
            [(2, 1, False), (1, 2, False)],
        ),
        # first group: more points in the first group
        (
            ["first_group"],
            [member(1, "80", first="30"), member(2, "80", first="35")],
            [(2, 1, False), (1, 2, False)],
        ),
        # the first tie-break is equal, the second decides
        (
            ["bonus", "first_group"],
            [
                member(1, "80", bonus="1", base="79", first="30"),
                member(2, "80", bonus="1", base="79", first="31"),
            ],
            [(2, 1, False), (1, 2, False)],
        ),
        # tie-breaks not in the order are ignored: still tied
        (
            ["penalty"],
            [member(1, "80", base="80"), member(2, "80", base="78", bonus="2")],
            [(1, 1, True), (2, 1, True)],
        ),
        # no tie-break: equal totals share the rank, the next rank skips (1, 2, 2, 4)
        (
            [],
            [member(1, "90"), member(2, "80"), member(3, "80"), member(4, "70")],
            [(1, 1, False), (2, 2, True), (3, 2, True), (4, 4, False)],
        ),
        # full tie after every tie-break
        (
            ["base_points", "bonus", "penalty", "first_group"],
            [
                member(3, "70"),
                member(1, "90"),
                member(2, "90"),
                member(4, "90", bonus="1", base="89"),
            ],
            [(1, 1, True), (2, 1, True), (4, 3, False), (3, 4, False)],
        ),
        # members without scores come last and share a rank, whatever their totals
        (
            ["bonus"],
            [member(1, "3", scored=False), member(2, "10"), member(3, "0", scored=False)],
            [(2, 1, False), (1, 2, True), (3, 2, True)],
        ),
    ],
    ids=[
        "base_points",
        "bonus",
        "penalty",
        "first_group",
        "second_rule",
        "unlisted_rule",
        "no_rule_1224",
        "full_tie",
        "unscored_last",
    ],
)
def test_rank_tie_breaks(tie_break, rows, expected):
    assert ranks(rank(rows, tie_break_order=tie_break)) == expected


def test_tie_notes_say_what_decided_and_what_remains():
    rows = rank(
        [
            member(1, "80", bonus="2", base="78"),
            member(2, "80", base="80"),
            member(3, "80", base="80"),
            member(4, "60"),
        ],
        tie_break_order=["bonus", "penalty"],
        bands=BANDS,
    )
    by_pk = {m.organization.pk: m for m in rows}
    assert [m.organization.pk for m in rows] == [1, 2, 3, 4]
    assert [m.rank for m in rows] == [1, 2, 2, 4]
    assert "Same total as Org2, Org3" in by_pk[1].tie_note
    assert "more bonus points" in by_pk[1].tie_note
    assert "Still tied with Org3 after every tie-break." in by_pk[2].tie_note
    assert "more bonus points" in by_pk[2].tie_note  # decided against Org1
    assert by_pk[4].tie_note == ""
    assert [m.classification for m in rows] == ["Hoàn thành tốt nhiệm vụ"] * 3 + [
        "Hoàn thành nhiệm vụ"
    ]


def test_unscored_members_get_no_classification():
    rows = rank(
        [member(1, "0", scored=False)],
        bands=[*BANDS, {"name": "Không hoàn thành", "min": 0}],
    )
    assert rows[0].classification == ""
    assert rows[0].tie_note == "Not scored yet."


# compute_results on the shared pledge -----------------------------------------------------


def sheet(pledge, org, round="self", *, scorer=None, submitted=True, **points):
    s = ScoreSheet.objects.create(
        pledge=pledge,
        organization=org,
        round=round,
        scorer=scorer,
        status="submitted" if submitted else "draft",
    )
    criteria = {c.code: c for c in pledge.criteria.all()}
    for code, value in points.items():
        p, b = value if isinstance(value, tuple) else (value, 0)
        Score.objects.create(sheet=s, criterion=criteria[code], points=D(p), bonus=D(b))
    return s


def adjust(pledge, org, kind, points):
    Adjustment.objects.create(
        pledge=pledge, organization=org, kind=kind, points=D(points), reason="Lý do"
    )


def test_compute_results_self_verified(world, pledge):
    o = world.orgs
    sheet(pledge, o[0], A1=15, A2=25, B1=("55", "3"))
    sheet(pledge, o[0], "verified", submitted=False, B1=("50", "3"))
    adjust(pledge, o[0], "bonus", 4)  # 3 + 4 = 7, capped at 5
    sheet(pledge, o[1], A1=10, A2=20, B1=41)
    adjust(pledge, o[1], "penalty", 1)  # 71 - 1 = 70
    sheet(pledge, o[2], submitted=False, A1=15, A2=25, B1=60)  # draft: does not count
    sheet(pledge, o[3], A1=10, A2=20, B1=39)
    adjust(pledge, o[3], "bonus", 1)  # 69 + 1 = 70

    results = compute_results(pledge)
    assert [g.code for g in results.groups] == ["A", "B"]
    assert [c.code for c in results.leaves] == ["A1", "A2", "B1"]
    rows = {m.organization: m for m in results.members}
    a, b = results.groups
    first = rows[o[0]]
    assert first.group_points == {a.pk: D("40"), b.pk: D("50")}
    assert (first.base_points, first.bonus, first.penalty, first.total) == (
        D("90"),
        D("5"),
        D("0"),
        D("95"),
    )
    assert first.criterion_bonus == D("3") and first.bonus_lines == D("4")
    assert [(m.organization, m.rank, m.total) for m in results.members] == [
        (o[0], 1, D("95")),
        (o[3], 2, D("70")),  # more bonus than o[1]
        (o[1], 3, D("70")),
        (o[2], 4, D("0")),  # no score yet: last
    ]
    assert [m.classification for m in results.members] == [
        "Hoàn thành xuất sắc nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "Hoàn thành tốt nhiệm vụ",
        "",
    ]
    assert "more bonus points" in rows[o[3]].tie_note
    assert not rows[o[3]].tied and not rows[o[1]].tied
    assert results.for_organization(o[2]).scored is False


@pytest.mark.parametrize(
    ("method", "expected"),
    [(AVG, D("45.00")), (TRIM, D("50.00"))],
)
def test_compute_results_cross_methods(world, pledge, method, expected):
    Pledge.objects.filter(pk=pledge.pk).update(scoring_method=method)
    pledge.refresh_from_db()
    o = world.orgs
    sheet(pledge, o[0], "cross", scorer=o[1], A1=10, A2=20, B1=30)
    sheet(pledge, o[0], "cross", scorer=o[2], A1=10, A2=20, B1=50)
    sheet(pledge, o[0], "cross", scorer=o[3], A1=10, A2=20, B1=55)
    # unsubmitted cross sheet and the self-score do not count
    sheet(pledge, o[1], "cross", scorer=o[0], submitted=False, A1=1, A2=1, B1=1)
    sheet(pledge, o[0], A1=15, A2=25, B1=60)
    results = compute_results(pledge)
    first = results.for_organization(o[0])
    b1 = next(c for c in results.leaves if c.code == "B1")
    assert first.leaf_points[b1.pk] == expected
    assert first.total == D("30") + expected
    assert not results.for_organization(o[1]).scored


# Fixed number of queries ------------------------------------------------------------------


def build(n_members: int, n_leaves: int, *, year: int, bloc=None) -> Pledge:
    """A pledge with n new members (all scored: self, verification and lines) and n leaves."""
    bloc = bloc or BlocFactory()
    orgs = [OrganizationFactory() for _ in range(n_members)]
    for i, org in enumerate(orgs):
        MembershipFactory(bloc=bloc, organization=org, first_year=year - 1, rotation_order=i)
    pledge = PledgeFactory(bloc=bloc, year=year, status="scoring")
    groups = [
        CriterionFactory(pledge=pledge, code=f"G{g}", max_points=100, order=g) for g in range(2)
    ]
    leaves = [
        CriterionFactory(pledge=pledge, parent=groups[i % 2], code=f"L{i}", max_points=10)
        for i in range(n_leaves)
    ]
    scores = []
    for i, org in enumerate(orgs):
        own = ScoreSheet.objects.create(pledge=pledge, organization=org, round="self")
        own.status = "submitted"
        own.save()
        ver = ScoreSheet.objects.create(pledge=pledge, organization=org, round="verified")
        for j, leaf in enumerate(leaves):
            scores.append(Score(sheet=own, criterion=leaf, points=D((i + j) % 10)))
            if j % 2:
                scores.append(Score(sheet=ver, criterion=leaf, points=D(j % 10)))
        adjust(pledge, org, "bonus", "0.5")
        adjust(pledge, org, "penalty", "0.25")
    Score.objects.bulk_create(scores)
    return pledge


def count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_compute_results_runs_a_fixed_number_of_queries(db, django_assert_num_queries):
    year = current_year()
    small = build(3, 3, year=year)
    small_count = count_queries(lambda: compute_results(small))
    big = build(12, 10, year=year)
    with django_assert_num_queries(small_count):
        results = compute_results(big)
    assert len(results.members) == 12 and len(results.leaves) == 10
    assert all(m.scored for m in results.members)
    # memberships+organizations, criteria, scores, adjustment sums
    assert small_count == 4


def test_results_over_years_runs_a_fixed_number_of_queries(db, django_assert_num_queries):
    pledge = build(3, 3, year=2021)
    bloc = pledge.bloc
    one_year = count_queries(lambda: results_over_years(bloc))
    for year in (2022, 2023, 2024):
        build(6, 8, year=year, bloc=bloc)
    with django_assert_num_queries(one_year):
        history = results_over_years(bloc)
    assert sorted(history) == [2021, 2022, 2023, 2024]
    # members without scores that year are left out
    assert [len(history[y]) for y in sorted(history)] == [3, 6, 6, 6]
    assert sorted(history[2024].values()) == [1, 2, 3, 4, 5, 6]
    # pledges, memberships+organizations, criteria, scores, adjustment sums
    assert one_year == 5


def test_results_over_years_for_one_member_and_skips_draft_years(world, pledge):
    o = world.orgs
    Pledge.objects.filter(pk=pledge.pk).update(status="closed")
    sheet(pledge, o[0], A1=15, A2=25, B1=60)
    sheet(pledge, o[1], A1=10, A2=25, B1=60)
    PledgeFactory(bloc=world.bloc, year=pledge.year + 1)  # draft: left out
    assert results_over_years(world.bloc) == {pledge.year: {o[0].pk: 1, o[1].pk: 2}}
    assert results_over_years(world.bloc, o[1]) == {pledge.year: {o[1].pk: 2}}
    assert results_over_years(world.bloc, world.outsider_org) == {}


def test_criteria_tree_deeper_than_two_levels(world, pledge):
    """Sub-criteria: only the lowest level is scored and adds up to its top-level group."""
    b1 = Criterion.objects.get(pledge=pledge, code="B1")
    b1a = CriterionFactory(pledge=pledge, parent=b1, code="B1a", max_points=30, order=1)
    b1b = CriterionFactory(pledge=pledge, parent=b1, code="B1b", max_points=30, order=2)
    sheet(pledge, world.orgs[0], A1=15, A2=25, B1a=20, B1b="12.5")
    results = compute_results(pledge)
    assert [c.code for c in results.leaves] == ["A1", "A2", "B1a", "B1b"]
    first = results.for_organization(world.orgs[0])
    assert first.group_points[results.groups[1].pk] == D("32.5")
    assert first.leaf_points == {
        results.leaves[0].pk: D("15"),
        results.leaves[1].pk: D("25"),
        b1a.pk: D("20"),
        b1b.pk: D("12.5"),
    }
    assert first.total == D("72.5")


def test_a_closed_year_s_ranks_are_computed_once_per_close(db, django_assert_num_queries):
    from pledges.services import pledge_reopen, pledge_set_status

    pledge = build(3, 3, year=2021)
    bloc = pledge.bloc
    while_scoring = results_over_years(bloc)
    pledge_set_status(pledge=pledge, status=Pledge.Status.CLOSED)
    assert results_over_years(bloc) == while_scoring  # computed and kept
    with django_assert_num_queries(1):  # the pledges with their digests, no score read
        assert results_over_years(bloc) == while_scoring
    # Reopened, changed and closed again: another digest, so computed anew.
    first = min(while_scoring[2021], key=while_scoring[2021].get)
    pledge_reopen(pledge=pledge, reason="Sửa điểm sau phúc tra")
    Score.objects.filter(sheet__pledge=pledge, sheet__organization_id=first).delete()
    pledge_set_status(pledge=pledge, status=Pledge.Status.CLOSED)
    assert first not in results_over_years(bloc)[2021]


# The rank chart's series (issue 12) ---------------------------------------------------------


def _year(bloc, year, status, members, scores):
    """A pledge of `year` on one leaf; `scores`: {org: (points, verified submitted or None)}."""
    pledge = PledgeFactory(bloc=bloc, year=year, status=status, tie_break_order=[])
    group = CriterionFactory(pledge=pledge, code="A", max_points=100, order=1)
    CriterionFactory(pledge=pledge, parent=group, code="A1", max_points=100, order=1)
    for org, (points, verified) in scores.items():
        sheet(pledge, org, A1=points)
        if verified is not None:
            sheet(pledge, org, "verified", submitted=verified, A1=points)
    return pledge


def test_rank_series_marks_provisional_years_ties_and_gaps(db, django_assert_num_queries):
    from pledges.ranking import RankPoint, rank_series

    bloc = BlocFactory()
    me, other, third = (OrganizationFactory() for _ in range(3))
    for i, org in enumerate((me, other, third)):
        MembershipFactory(bloc=bloc, organization=org, first_year=2019, rotation_order=i)
    _year(bloc, 2020, "closed", None, {me: (70, True), other: (80, True), third: (60, True)})
    # 2021: tied second with `third`, closed
    _year(bloc, 2021, "closed", None, {me: (70, True), other: (80, True), third: (70, True)})
    # 2022: a draft year (not ranked); 2023: scored, but not me
    PledgeFactory(bloc=bloc, year=2022)
    _year(bloc, 2023, "closed", None, {other: (80, True)})
    # 2024: in scoring, my verification submitted: final; 2025: only my self-score
    _year(bloc, 2024, "scoring", None, {me: (90, True), other: (80, None)})
    _year(bloc, 2025, "scoring", None, {me: (90, False), other: (95, True)})
    with django_assert_num_queries(5):
        series = rank_series(bloc, me)
    assert series == [
        RankPoint(2020, 2),
        RankPoint(2021, 2, tied=True),
        RankPoint(2022, None),
        RankPoint(2023, None),
        RankPoint(2024, 1, provisional=False),
        RankPoint(2025, 2, provisional=True),
    ]
    assert rank_series(bloc, OrganizationFactory()) == []


def test_rank_series_of_a_cross_scored_year_is_provisional_until_closed(db):
    from pledges.ranking import rank_series

    bloc = BlocFactory()
    me, other = OrganizationFactory(), OrganizationFactory()
    for org in (me, other):
        MembershipFactory(bloc=bloc, organization=org, first_year=2019)
    pledge = PledgeFactory(bloc=bloc, year=2024, status="scoring", scoring_method=AVG)
    group = CriterionFactory(pledge=pledge, code="A", max_points=100)
    CriterionFactory(pledge=pledge, parent=group, code="A1", max_points=100)
    sheet(pledge, me, "cross", scorer=other, A1=50)
    [point] = rank_series(bloc, me)
    assert (point.rank, point.provisional) == (1, True)
    Pledge.objects.filter(pk=pledge.pk).update(status="closed")
    [point] = rank_series(bloc, me)
    assert (point.rank, point.provisional) == (1, False)
