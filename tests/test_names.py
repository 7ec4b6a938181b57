"""People and words: names family name first, Vietnamese alphabetical order, NFC names and
the same-name check, comma decimals in messages, the default language, khối or cụm."""

import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from blocs.models import Bloc, Membership, Organization
from portal.lib.numbers import format_count, format_number, format_points
from portal.lib.people import full_name, person_name, person_sort_key
from portal.lib.text import for_kind, nfc, sort_key
from tests.factories import (
    BlocFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    UserFactory,
)

# --- Names, family name first --------------------------------------------------------------


def test_person_name_is_family_name_first(db):
    user = UserFactory(username="hoa", last_name="Trần Thị", first_name="Hoa")
    assert person_name(user) == "Trần Thị Hoa"
    assert full_name(user) == "Trần Thị Hoa"


def test_person_name_falls_back_to_the_username_only_without_a_name(db):
    user = UserFactory(username="hoivien", last_name="", first_name="")
    assert person_name(user) == "hoivien"
    assert full_name(user) == ""  # a signature is not pre-filled with a login name
    assert person_name(None) == ""


def test_the_person_filter_is_available_in_every_template(db):
    user = UserFactory(username="hoa", last_name="Trần Thị", first_name="Hoa")
    assert Template("{{ u|person }}").render(Context({"u": user})) == "Trần Thị Hoa"


def test_user_names_are_stored_in_nfc(db):
    user = UserFactory(
        username="nfd",
        last_name=unicodedata.normalize("NFD", "Trần Thị"),
        first_name=unicodedata.normalize("NFD", "Hoà"),
    )
    user.refresh_from_db()
    assert user.last_name == unicodedata.normalize("NFC", "Trần Thị")
    assert unicodedata.is_normalized("NFC", user.first_name)


def test_admin_user_form_asks_family_names_before_the_given_name(admin_client):
    with translation.override("vi"):
        page = admin_client.get(reverse("admin:auth_user_add")).content.decode()
    assert page.index('name="last_name"') < page.index('name="first_name"')
    assert "Họ và tên đệm" in page and "Tên" in page


def test_admin_user_form_shows_the_name_the_vietnamese_way(admin_client, db):
    user = UserFactory(username="hoa", last_name="Trần Thị", first_name="Hoa")
    page = admin_client.get(reverse("admin:auth_user_change", args=[user.pk])).content.decode()
    assert page.index('name="last_name"') < page.index('name="first_name"')
    listing = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Trần Thị Hoa" in listing and "Hoa Trần Thị" not in listing


def test_an_account_created_as_labelled_prints_family_name_first(world, client_for):
    user = world.users["member"]
    user.last_name, user.first_name = "Trần Thị", "Hoa"
    user.save()
    page = client_for("member").get(reverse("home")).content.decode()
    assert "Trần Thị Hoa" in page
    assert "Hoa Trần" not in page


def test_pledge_signature_prefill_is_the_full_name(db):
    from pledges.views.pledge import signing

    class Request:
        POST = None
        user = UserFactory(username="sig", last_name="Trần Thị", first_name="Hoa")

    class Page:
        recording = False

    form = signing._signature_form(Request(), pledge=None, page=Page())
    assert form.initial["signer_name"] == "Trần Thị Hoa"


def test_bloc_page_lists_people_by_name_in_vietnamese_order(world, client_for):
    # Vietnamese lists sort by the given name: Ánh, Bình, Đức (not by code point: Đ > B).
    chair = world.orgs[0]
    for username, family, given in [
        ("p1", "Nguyễn Văn", "Đức"),
        ("p2", "Trần Thị", "Ánh"),
        ("p3", "Lê Văn", "Bình"),
    ]:
        OfficialFactory(
            organization=chair,
            user__username=username,
            user__last_name=family,
            user__first_name=given,
        )
    response = client_for("member").get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    officials = [o.user.username for o in response.context["page"].chair_officials]
    assert officials.index("p2") < officials.index("p3") < officials.index("p1")
    content = response.content.decode()
    assert content.index("Trần Thị Ánh") < content.index("Lê Văn Bình")
    assert content.index("Lê Văn Bình") < content.index("Nguyễn Văn Đức")


def test_demo_accounts_are_stored_the_vietnamese_way_round():
    from blocs.demo.data import MEMBER, SECRETARY

    assert (SECRETARY.last_name, SECRETARY.first_name) == ("Phạm Thu", "Hà")
    assert (MEMBER.last_name, MEMBER.first_name) == ("Nguyễn Văn", "Nam")


# --- Vietnamese alphabetical order ----------------------------------------------------------

ALPHABETICAL = [
    "An Dương",
    "Ăn uống",
    "Âm nhạc",
    "các đoàn thể",
    "các tổ chức",
    "Cụm thi đua số 2",
    "Cụm thi đua số 10",
    "Dân vận",
    "Đài Phát thanh",
    "Ơn nghĩa",
    "Uy tín",
    "Ủy ban MTTQ",
    "Ưu tú",
    "Viện Kiểm sát",
]


def test_sort_key_orders_the_vietnamese_alphabet():
    shuffled = list(reversed(ALPHABETICAL))
    assert sorted(shuffled, key=sort_key) == ALPHABETICAL


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("a", "à"),  # tones after the letter: ngang, huyền, hỏi, ngã, sắc, nặng
        ("à", "ả"),
        ("ả", "ã"),
        ("ã", "á"),
        ("á", "ạ"),
        ("ạ", "ă"),  # a tone never outweighs a letter
        ("o", "ô"),
        ("ô", "ơ"),
        ("u", "ư"),
        ("d", "đ"),
        ("đ", "e"),
        ("Hà Nam", "Hạ Long"),  # letters of the whole name first, then the tones
    ],
)
def test_sort_key_pairs(lower, higher):
    assert sort_key(lower) < sort_key(higher)


def test_sort_key_ignores_unicode_form_and_tone_placement():
    assert sort_key(unicodedata.normalize("NFD", "Ủy ban")) == sort_key("Ủy ban")
    assert sort_key("Uỷ ban") == sort_key("Ủy ban")
    assert sort_key("hoà bình") == sort_key("hòa bình")


@pytest.mark.django_db
def test_organizations_and_blocs_are_listed_in_vietnamese_order_by_the_database():
    # The key is compared by the database (SQLite or PostgreSQL, whatever its collation).
    for name in reversed(ALPHABETICAL):
        OrganizationFactory(name=name)
        BlocFactory(name=name)
    assert list(Organization.objects.values_list("name", flat=True)) == ALPHABETICAL
    assert list(Bloc.objects.values_list("name", flat=True)) == ALPHABETICAL


@pytest.mark.django_db
def test_members_without_a_rotation_order_in_vietnamese_order():
    bloc = BlocFactory(name="Khối các cơ quan")
    for name in ["Viện Kiểm sát nhân dân", "Ưu tú", "Ủy ban nhân dân", "Đài Phát thanh"]:
        organization = OrganizationFactory(name=name)
        MembershipFactory(bloc=bloc, organization=organization, rotation_order=None)
    members = Membership.objects.filter(bloc=bloc).in_rotation_order()
    assert [m.organization.name for m in members] == [
        "Đài Phát thanh",
        "Ủy ban nhân dân",
        "Ưu tú",
        "Viện Kiểm sát nhân dân",
    ]


def test_people_sort_by_given_name_then_family_names(db):
    users = [
        UserFactory(username="a", last_name="Trần", first_name="Đức"),
        UserFactory(username="b", last_name="Nguyễn", first_name="Ánh"),
        UserFactory(username="c", last_name="Lê", first_name="Bình"),
        UserFactory(username="d", last_name="Đặng", first_name="Ánh"),
    ]
    assert [u.username for u in sorted(users, key=person_sort_key)] == ["d", "b", "c", "a"]


def test_ballot_candidates_with_equal_votes_in_vietnamese_order():
    from pledges.services.ballots import candidate_outcomes

    names = ["Viện Kiểm sát", "Ưu tú", "Đài Phát thanh", "Ủy ban MTTQ"]
    outcomes = candidate_outcomes(
        [(name, 5) for name in names], base=10, threshold=Decimal("50"), strict=False
    )
    assert [o.organization for o in outcomes] == [
        "Đài Phát thanh",
        "Ủy ban MTTQ",
        "Ưu tú",
        "Viện Kiểm sát",
    ]


# --- NFC names and the same-name check ------------------------------------------------------


@pytest.mark.django_db
def test_names_are_stored_in_nfc():
    org = OrganizationFactory(name=unicodedata.normalize("NFD", "Hội Nông dân thành phố"))
    bloc = BlocFactory(name=unicodedata.normalize("NFD", "Khối thi đua Đoàn thể"))
    org.refresh_from_db()
    bloc.refresh_from_db()
    assert org.name == nfc("Hội Nông dân thành phố")
    assert unicodedata.is_normalized("NFC", org.name)
    assert unicodedata.is_normalized("NFC", bloc.name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "copy",
    [
        unicodedata.normalize("NFD", "Ủy ban MTTQ Việt Nam thành phố Hải Phòng"),
        "Uỷ ban MTTQ Việt Nam thành phố Hải Phòng",  # old tone placement
        "ủy ban mttq việt nam thành phố hải phòng",
    ],
)
def test_a_copy_of_an_existing_organization_name_is_refused(copy):
    OrganizationFactory(name="Ủy ban MTTQ Việt Nam thành phố Hải Phòng")
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        Organization(name=copy).full_clean()
    message = exc.value.message_dict["name"][0]
    assert "Đã có đơn vị mang tên này" in message
    assert "Ủy ban MTTQ Việt Nam thành phố Hải Phòng" in message
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_refuses_an_old_spelling_of_an_existing_organization(admin_client):
    OrganizationFactory(name="Hội Liên hiệp Phụ nữ thành phố Hòa Bình")
    with translation.override("vi"):
        response = admin_client.post(
            reverse("admin:blocs_organization_add"),
            {
                "name": "Hội Liên hiệp Phụ nữ thành phố Hoà Bình",
                "kind": "women",
                "level": "province",
                "is_active": "on",
            },
        )
    assert response.status_code == 200
    assert "Đã có đơn vị mang tên này" in response.content.decode()
    assert Organization.objects.count() == 1


@pytest.mark.django_db
def test_a_copy_of_an_existing_bloc_name_is_refused():
    BlocFactory(name="Khối thi đua các đoàn thể")
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        Bloc(name=unicodedata.normalize("NFD", "Khối thi đua các đoàn thể")).full_clean()
    assert "Đã có khối thi đua mang tên này" in exc.value.message_dict["name"][0]


@pytest.mark.django_db
def test_an_organization_keeps_its_own_name_on_edit():
    org = OrganizationFactory(name="Hội Nông dân thành phố")
    org.locality = "Hải Phòng"
    org.full_clean()  # its own name is not "another organization's"


# --- Numbers in messages --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_numbers_use_comma_decimals_in_both_languages(language):
    # English pages keep the Vietnamese number format too (portal/formats/en): same officials.
    with translation.override(language):
        assert format_points(Decimal("2")) == "2,00"
        assert format_points(Decimal("12.5")) == "12,50"
        assert format_count(Decimal("120.00")) == "120"
        assert format_count(1200) == "1.200"


def test_score_messages_use_comma_decimals(db):
    from pledges.services.scoring import REASON_REQUIRED, _pair

    with translation.override("vi"):
        message = str(REASON_REQUIRED) % {
            "code": "A1",
            "old": _pair(Decimal("9"), Decimal("0")),
            "new": _pair(Decimal("8"), Decimal("0.5")),
        }
    assert "9,00 → 8,00 + 0,50" in message


# --- The default language -------------------------------------------------------------------


def test_an_english_browser_gets_vietnamese(world, client_for):
    client = client_for("member")
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert response.wsgi_request.LANGUAGE_CODE == "vi"


def test_the_language_switch_still_wins(world, client_for):
    client = client_for("member")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="vi")
    assert response.headers["Content-Language"] == "en"
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "vi"


def test_a_forged_language_cookie_falls_back_to_vietnamese(world, client_for):
    client = client_for("member")
    client.cookies["django_language"] = "xx"
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "vi"


# --- khối or cụm ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "word", "chair"),
    [(Bloc.Kind.KHOI, "khối", "trưởng khối"), (Bloc.Kind.CUM, "cụm", "cụm trưởng")],
)
def test_kind_word_and_chair_word(kind, word, chair):
    with translation.override("vi"):
        bloc = Bloc(name="X", kind=kind)
        assert (bloc.kind_word, bloc.chair_word) == (word, chair)


@pytest.mark.parametrize(
    ("kind", "says", "never"),
    [(Bloc.Kind.CUM, "cụm trưởng", "trưởng khối"), (Bloc.Kind.KHOI, "trưởng khối", "cụm trưởng")],
)
def test_a_bloc_page_says_khoi_or_cum_by_its_kind(world, client_for, kind, says, never):
    Bloc.objects.filter(pk=world.bloc.pk).update(kind=kind)
    client = client_for("secretariat")
    html = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk])).content.decode()
    assert "khối/cụm" not in html.lower()
    assert says in html.lower()
    assert never not in html.lower()
    html = client.get(reverse("blocs:bloc_edit", args=[world.bloc.pk])).content.decode()
    assert "khối/cụm" not in html.lower()


def test_a_service_refusal_says_khoi_or_cum_by_the_kind(world):
    from blocs import services

    Bloc.objects.filter(pk=world.bloc.pk).update(kind=Bloc.Kind.CUM)
    world.bloc.refresh_from_db()
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.chair_rotate(bloc=world.bloc, chair=world.orgs[0], deputy=None, year=world_year())
    text = " ".join(exc.value.messages)
    assert "khối/cụm" not in text
    assert "cụm trưởng, cụm phó" in text


@pytest.mark.parametrize(
    ("text", "khoi", "cum"),
    [
        ("Trưởng khối/cụm năm 2025", "Trưởng khối năm 2025", "Cụm trưởng năm 2025"),
        ("đã có trưởng, phó khối/cụm", "đã có trưởng, phó khối", "đã có cụm trưởng, cụm phó"),
        ("thành viên khối/cụm", "thành viên khối", "thành viên cụm"),
        ("Phó khối/cụm", "Phó khối", "Cụm phó"),
    ],
)
def test_for_kind(text, khoi, cum):
    assert for_kind(text, cluster=False) == khoi
    assert for_kind(text, cluster=True) == cum


def world_year() -> int:
    from blocs.models import current_year

    return current_year()


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("66.67"), "66,67"), (Decimal("40.00"), "40"), (Decimal("40.50"), "40,5"), (50, "50")],
)
def test_format_number_keeps_only_the_decimals_it_has(value, text):
    with translation.override("vi"):
        assert format_number(value) == text


def test_what_was_typed_is_shown_back_as_stored(world, client_for):
    # The page says "cụm", but a form shows the stored text unchanged (saving it again must
    # not rewrite the secretariat's own words).
    Bloc.objects.filter(pk=world.bloc.pk).update(
        kind=Bloc.Kind.CUM, operating_rules="Quy chế khối/cụm thi đua"
    )
    html = client_for("secretariat").get(reverse("blocs:bloc_edit", args=[world.bloc.pk]))
    assert "Quy chế khối/cụm thi đua</textarea>" in html.content.decode()


def test_tied_members_are_listed_in_vietnamese_order():
    from pledges.ranking import MemberResult, rank

    names = ["Viện Kiểm sát", "Ưu tú", "Đài Phát thanh", "Ủy ban MTTQ", "Ban Dân vận"]
    rows = [MemberResult(organization=name, total=Decimal("90"), scored=True) for name in names]
    ranked = rank(rows)
    assert [m.organization for m in ranked] == [
        "Ban Dân vận",
        "Đài Phát thanh",
        "Ủy ban MTTQ",
        "Ưu tú",
        "Viện Kiểm sát",
    ]
    assert {m.rank for m in ranked} == {1}


def test_a_page_says_the_kind_but_never_rewrites_what_was_typed():
    from django.utils.safestring import SafeString, mark_safe

    from portal.templatetags.words import for_bloc

    cum = Bloc(name="X", kind=Bloc.Kind.CUM)
    page = mark_safe(
        '<p>Trưởng khối/cụm</p><input value="trưởng khối/cụm ghi sẵn">'
        "<textarea>Phó khối/cụm đã gõ</textarea><p>Phó khối/cụm</p>"
    )
    said = for_bloc(page, cum)
    assert said == (
        '<p>Cụm trưởng</p><input value="trưởng khối/cụm ghi sẵn">'
        "<textarea>Phó khối/cụm đã gõ</textarea><p>Cụm phó</p>"
    )
    assert isinstance(said, SafeString)
    plain = mark_safe('<a href="/blocs/1/">Khối</a>')  # nothing to say: the same object back
    assert for_bloc(plain, cum) is plain
