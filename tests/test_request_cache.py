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
    assert answers == [False] * 10 and queries == 2  # the two lookups of is_secretariat, once
    answers, queries = seen["reads"]
    assert answers == [True] * 10 and queries <= 2
    answers, queries = seen["after"]
    assert answers == [True] * 10 and 0 < queries <= 2  # asked anew after the write


def test_outside_a_request_nothing_is_kept(world):
    member, bloc = world.users["member"], world.bloc
    answers, queries = _queries(lambda: is_secretariat(member, bloc))
    assert answers == [False] * 10 and queries == 20
