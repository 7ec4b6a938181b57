"""The secretariat accepts every submitted self-scoring as verified at once (issue 12):
only those submitted and not yet verified, through sheet_submit, all or nothing, after a
confirmation page that says how many."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pledges import services
from pledges.models import Pledge, Score, ScoreSheet
from pledges.ranking import compute_results

from .test_results_views import score


@pytest.fixture
def scoring(pledge) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.SCORING)
    pledge.refresh_from_db()
    return pledge


def _verified(pledge) -> set:
    return set(
        ScoreSheet.objects.filter(pledge=pledge, round="verified", status="submitted").values_list(
            "organization_id", flat=True
        )
    )


def test_only_submitted_unverified_self_scores_are_accepted(world, scoring):
    o = world.orgs
    score(scoring, o[0], {"A1": 15, "A2": 25, "B1": 60})
    score(scoring, o[1], {"A1": 10, "A2": 20, "B1": 50})
    # orgs[1]: the secretariat already re-scored B1 (a draft verification sheet)
    draft = score(scoring, o[1], {"B1": 40}, round="verified", submitted=False)
    score(scoring, o[2], {"A1": 5}, submitted=False)  # a draft: left alone
    score(scoring, o[3], {"A1": 1, "A2": 1, "B1": 1})
    score(scoring, o[3], {"A1": 2, "A2": 2, "B1": 2}, round="verified")  # verified already
    assert services.verifiable_members(scoring) == [o[0], o[1]]
    count = services.sheets_verify_all(pledge=scoring, actor=world.users["secretariat"])
    assert count == 2
    assert _verified(scoring) == {o[0].pk, o[1].pk, o[3].pk}
    draft.refresh_from_db()
    assert draft.is_submitted and draft.submitted_by == world.users["secretariat"]
    totals = {m.organization: m.total for m in compute_results(scoring).members}
    assert totals[o[0]] == Decimal("100") and totals[o[1]] == Decimal("70")  # 10+20+40
    assert not Score.objects.filter(sheet__organization=o[2], sheet__round="verified").exists()
    assert services.sheets_verify_all(pledge=scoring) == 0  # nothing left


def test_members_may_not_and_nothing_changes(world, scoring):
    score(scoring, world.orgs[0], {"A1": 15, "A2": 25, "B1": 60})
    with pytest.raises(PermissionDenied):
        services.sheets_verify_all(pledge=scoring, actor=world.users["member"])
    assert _verified(scoring) == set()


def test_one_refusal_undoes_the_whole_batch(world, scoring):
    score(scoring, world.orgs[0], {"A1": 15, "A2": 25, "B1": 60})
    score(scoring, world.orgs[1], {"A1": 15})  # submitted but incomplete: sheet_submit refuses
    with pytest.raises(ValidationError):
        services.sheets_verify_all(pledge=scoring, actor=world.users["secretariat"])
    assert _verified(scoring) == set()


def test_a_cross_scored_year_is_refused(world, scoring):
    Pledge.objects.filter(pk=scoring.pk).update(scoring_method="cross_average")
    scoring.refresh_from_db()
    with pytest.raises(ValidationError):
        services.sheets_verify_all(pledge=scoring)


def test_the_confirmation_page_says_how_many_then_a_message(world, scoring, client_for):
    score(scoring, world.orgs[0], {"A1": 15, "A2": 25, "B1": 60})
    score(scoring, world.orgs[3], {"A1": 1, "A2": 1, "B1": 1})
    client = client_for("secretariat")
    url = reverse("pledges:verify_all", args=[scoring.pk])
    assert url in client.get(reverse("pledges:verify", args=[scoring.pk])).content.decode()
    page = client.get(url).content.decode()
    assert "2 đơn vị" in page and world.orgs[0].short_name in page
    assert _verified(scoring) == set()  # a GET changes nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("pledges:verify", args=[scoring.pk])
    assert "Đã chấp nhận điểm tự chấm của 2 đơn vị" in response.content.decode()
    assert _verified(scoring) == {world.orgs[0].pk, world.orgs[3].pk}
    assert client_for("member").post(url).status_code == 403
