"""Accent-insensitive search: `portal.lib.text.fold` and the search page."""

import pytest
from django.urls import reverse

from portal.lib.text import fold
from tests.factories import BlocFactory, MembershipFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Thành đoàn Hải Phòng", "thanh doan hai phong"),
        ("Liên đoàn Lao động", "lien doan lao dong"),
        ("ĐOÀN THANH NIÊN", "doan thanh nien"),
        ("Hội Liên hiệp Phụ nữ", "hoi lien hiep phu nu"),
        ("Ủy ban MTTQ   Việt Nam", "uy ban mttq viet nam"),  # spaces collapse
        ("Cựu chiến binh", "cuu chien binh"),
        ("  ", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_is_idempotent():
    assert fold(fold("Thành đoàn")) == fold("Thành đoàn")


def _search(client, q: str):
    response = client.get(reverse("blocs:search"), {"q": q})
    assert response.status_code == 200
    blocs = response.context["blocs"]
    organizations = response.context["organizations"]
    return blocs, (list(organizations) if organizations is not None else None)


@pytest.mark.parametrize("q", ["thanh doan", "Thành đoàn", "THANH DOAN", "thanh đoan", "hai phong"])
def test_thanh_doan_finds_thanh_doan_hai_phong(world, client_for, q):
    _, organizations = _search(client_for("member"), q)
    assert [o.name for o in organizations] == ["Thành đoàn Hải Phòng"]


def test_lien_doan_finds_the_labour_federation(world, client_for):
    _, organizations = _search(client_for("member"), "lien doan")
    assert [o.name for o in organizations] == ["Liên đoàn Lao động thành phố"]


def test_d_matches_dj_in_bloc_names(world, client_for):
    blocs, _ = _search(client_for("member"), "khoi thi dua mat tran")
    assert blocs == [world.bloc]


def test_outsider_cannot_find_blocs_or_organizations_they_cannot_see(world, client_for):
    blocs, organizations = _search(client_for("outsider"), "khoi thi dua")
    assert blocs == []
    _, organizations = _search(client_for("outsider"), "thanh doan")
    assert organizations == []
    blocs, organizations = _search(client_for("outsider"), "cum thi dua so 5")
    assert blocs == [world.other_bloc]


def test_member_cannot_find_an_unrelated_organization(world, client_for):
    hidden = BlocFactory(name="Khối thi đua các trường đại học")
    MembershipFactory(bloc=hidden, organization=OrganizationFactory(name="Trường Đại học Hàng hải"))
    blocs, organizations = _search(client_for("member"), "dai hoc")
    assert (blocs, organizations) == ([], [])
    blocs, organizations = _search(client_for("admin"), "dai hoc")
    assert blocs == [hidden] and len(organizations) == 1


def test_empty_query_shows_a_hint(world, client_for):
    response = client_for("member").get(reverse("blocs:search"), {"q": "   "})
    assert response.context["organizations"] is None
    assert "Type a name to search" in response.content.decode()


def test_no_results_shows_an_empty_state(world, client_for):
    response = client_for("member").get(reverse("blocs:search"), {"q": "không có gì"})
    assert response.context["blocs"] == []
    assert "Nothing found for" in response.content.decode()


def test_results_are_grouped(world, client_for):
    response = client_for("admin").get(reverse("blocs:search"), {"q": "thanh"})
    content = response.content.decode()
    assert content.index("Blocs") < content.index("Organizations")


def test_an_admins_broad_search_shows_the_first_blocs_and_asks_for_a_narrower_one(
    world, client_for
):
    from blocs.views.blocs import SEARCH_BLOCS

    for n in range(SEARCH_BLOCS + 5):
        BlocFactory(name=f"Cụm thi đua rộng số {n}")
    client = client_for("admin")
    response = client.get(reverse("blocs:search"), {"q": "cum thi dua rong"})
    assert len(response.context["blocs"]) == SEARCH_BLOCS
    assert 'id="more-blocs"' in response.content.decode()
    narrow = client.get(reverse("blocs:search"), {"q": "cum thi dua rong so 7"})
    assert [b.name for b in narrow.context["blocs"]] == ["Cụm thi đua rộng số 7"]
    assert 'id="more-blocs"' not in narrow.content.decode()
