"""The demo pledges (pledges/demo.py, loaded by `manage.py load_demo`): the seed articles'
facts, a Hải Phòng 2020 year that ranks and closes, and idempotence."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from blocs import demo as blocs_demo
from blocs.models import current_year
from pledges import demo
from pledges.models import Ballot, Pledge
from pledges.ranking import compute_results
from pledges.services import ballot_outcome

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def load() -> None:
    call_command("load_demo", force=True, stdout=StringIO())


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_app_config("pledges").get_models()
    }


def test_hai_phong_2020_is_scored_ranked_balloted_and_closed():
    load()
    pledge = Pledge.objects.get(bloc__name=blocs_demo.HP_BLOC, year=2020)
    assert pledge.status == Pledge.Status.CLOSED
    assert pledge.signatures.count() == 6
    results = compute_results(pledge)
    ranked = [m.organization.name for m in results.members]
    # The Women's Union, chair in 2020 and chosen leading unit, ranks first.
    assert ranked[0] == blocs_demo.HP_HLHPN
    assert [m.rank for m in results.members] == [1, 2, 3, 4, 5, 6]
    assert all(m.classification for m in results.members)
    # The criteria table is marked as example values.
    assert all(demo.EXAMPLE in c.text for c in pledge.criteria.filter(parent=None))

    ballot = pledge.ballots.get()
    assert ballot.purpose == Ballot.Purpose.LEADING
    assert timezone.localtime(ballot.meeting.starts_at).date() == dt.date(2020, 12, 29)
    leading = [o.organization.name for o in ballot_outcome(ballot) if o.leading]
    assert leading == [blocs_demo.HP_HLHPN]
    assert pledge.proposals.filter(organization__name=blocs_demo.HP_HLHPN).exists()


def test_le_chan_2021_has_the_five_contents_of_seed_002_signed_on_07_01_2021():
    load()
    pledge = Pledge.objects.get(bloc__name=blocs_demo.LC_BLOC, year=2021)
    assert pledge.status == Pledge.Status.SIGNED
    texts = list(pledge.items.values_list("text", flat=True))
    assert texts == list(demo.LC_CONTENTS)
    assert len(texts) == 5
    assert texts[3] == "Tăng cường đoàn kết quốc tế, mở rộng hoạt động đối ngoại nhân dân."
    days = {timezone.localtime(s.signed_at).date() for s in pledge.signatures.all()}
    assert days == {dt.date(2021, 1, 7)}
    assert pledge.signatures.count() == len(pledge.bloc.memberships.active_in(2021))


def test_ha_noi_cluster_5_signed_on_11_02_2020_at_the_meeting():
    load()
    pledge = Pledge.objects.get(bloc__name=blocs_demo.HN_CLUSTER, year=2020)
    assert pledge.status == Pledge.Status.SIGNED
    signatures = list(pledge.signatures.select_related("meeting"))
    assert signatures
    for signature in signatures:
        assert timezone.localtime(signature.signed_at).date() == dt.date(2020, 2, 11)
        assert signature.meeting.title == blocs_demo.HN_MEETING


def test_this_year_starts_from_last_years_pledge_and_is_open():
    load()
    year = current_year()
    pledge = Pledge.objects.get(bloc__name=blocs_demo.HP_BLOC, year=year)
    assert pledge.status == Pledge.Status.OPEN
    assert pledge.copied_from.year == 2020
    assert pledge.criteria.count() == pledge.copied_from.criteria.count()
    # The law in force, not the repealed 2003 law and ND 91/2017 of the 2020 pledge.
    assert "Luật Thi đua, khen thưởng số 06/2022/QH15" in pledge.legal_basis
    assert "Nghị định số 152/2025/NĐ-CP" in pledge.legal_basis
    assert "2003" not in pledge.legal_basis and "91/2017" not in pledge.legal_basis
    assert "91/2017" in pledge.copied_from.legal_basis  # 2020 keeps the law of its time


def test_running_twice_changes_nothing():
    load()
    first = row_counts()
    load()
    assert row_counts() == first
    assert first["pledges.Pledge"] == 4
