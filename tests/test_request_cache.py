"""The policy's answers kept for one request (`portal.lib.request_cache`): a question asked
per row costs its queries once, a role written in the same request is seen at once, and
outside a request nothing is kept."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from blocs.models import ChairTerm, current_year
from blocs.rules import is_secretariat, reads_year
from portal.lib import request_cache


def _queries(ask) -> tuple[list, int]:
    with CaptureQueriesContext(connection) as ctx:
        answers = [ask() for _ in range(10)]
    return answers, len(ctx.captured_queries)


def test_asked_per_row_in_a_request_the_policy_answers_once(world):
    member, bloc, year = world.users["member"], world.bloc, current_year()
    seen = {}

    def view(request):
        seen["before"] = _queries(lambda: is_secretariat(member, bloc, year))
        seen["reads"] = _queries(lambda: reads_year(member, bloc, year))
        # The member's organization becomes this year's chair within the same request.
        term = ChairTerm.objects.get(bloc=bloc, year=year)
        term.chair = world.orgs[2]
        term.save()
        seen["after"] = _queries(lambda: is_secretariat(member, bloc, year))
        return "response"

    assert request_cache.middleware(view)(None) == "response"
    answers, queries = seen["before"]
    assert answers == [False] * 10 and queries == 1  # secretariat_spans, once
    answers, queries = seen["reads"]
    assert answers == [True] * 10 and queries <= 2
    answers, queries = seen["after"]
    assert answers == [True] * 10 and queries == 1  # asked anew after the write


def test_outside_a_request_nothing_is_kept(world):
    member, bloc = world.users["member"], world.bloc
    answers, queries = _queries(lambda: is_secretariat(member, bloc))
    assert answers == [False] * 10 and queries == 10  # one query each time


def test_what_a_person_reads_is_one_query_a_request_and_a_new_membership_is_seen(world):
    """Every reading question of the policy (which blocs, which years, which council seats)
    comes from one query kept for the request (`blocs.models.read_spans`), however many
    blocs and years a page asks about; a membership written in the request is seen."""
    from blocs.models import Bloc, Membership
    from blocs.rules import may_read, read_years, sits_on_council

    member = world.users["member"]
    bloc, other, year = world.bloc, world.other_bloc, current_year()
    seen = {}

    def ask_all(user):
        reads = read_years(user, bloc.pk)
        return (
            [reads_year(user, b, y) for b in (bloc, other) for y in range(year - 5, year + 2)],
            [reads(y) for y in range(year - 5, year + 2)],
            [may_read(user, b) for b in (bloc, other)],
            sits_on_council(user, bloc.organizing_body_id, year),
            sorted(Bloc.objects.visible_to(user).values_list("pk", flat=True)),
        )

    def view(request):
        for who in ("member", "council"):
            with CaptureQueriesContext(connection) as ctx:
                seen[who] = ask_all(world.users[who])
            seen[f"{who} queries"] = len(ctx.captured_queries)
        Membership.objects.create(bloc=other, organization=world.orgs[2], first_year=year)
        seen["joined"] = reads_year(member, other, year), may_read(member, other)
        return "response"

    request_cache.middleware(view)(None)
    # The member's organization joined three years ago; the council's body organizes the bloc.
    joined = [y >= year - 3 for y in range(year - 5, year + 2)]
    never = [False] * 7
    assert seen["member"] == (joined + never, joined, [True, False], False, [bloc.pk])
    every = [True] * 7
    assert seen["council"] == (every + never, every, [True, False], True, [bloc.pk])
    # One query for the spans, one for the visible blocs' ids.
    assert seen["member queries"] == 2 and seen["council queries"] == 2
    assert seen["joined"] == (True, True)


def test_a_persons_official_is_one_query_a_request_and_a_new_one_is_seen(world):
    """`blocs.models.official_of` (the navbar, the dashboard and the policy ask it): the
    record and its organization in one query, once a request; an official written in the
    request is seen at once, and a person without one costs one query, not one a question."""
    from blocs.models import Official, official_of
    from reports.rules import is_official_of

    member, admin = world.users["member"], world.users["admin"]
    seen = {}

    def view(request):
        seen["member"] = _queries(lambda: official_of(member))
        seen["organization"] = _queries(lambda: official_of(member).organization.name)
        seen["policy"] = _queries(lambda: is_official_of(member, world.orgs[2].pk))
        seen["admin"] = _queries(lambda: official_of(admin))
        Official.objects.create(user=admin, organization=world.orgs[3])
        seen["admin after"] = _queries(lambda: is_official_of(admin, world.orgs[3].pk))
        return "response"

    request_cache.middleware(view)(None)
    answers, queries = seen["member"]
    assert {a.organization_id for a in answers} == {world.orgs[2].pk} and queries == 1
    assert seen["organization"] == ([world.orgs[2].name] * 10, 0)  # came with the record
    assert seen["policy"] == ([True] * 10, 0)
    assert seen["admin"] == ([None] * 10, 1)
    assert seen["admin after"] == ([True] * 10, 1)
