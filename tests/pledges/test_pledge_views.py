"""Pledge pages: the year's list and creation, the pledge page, its rules, contents and
criteria, status steps and reopening, signing, registration, and constant query counts.
Who may open which URL is `tests/test_access_matrix.py`; POSTs are checked here."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from blocs import services as bloc_services
from blocs.models import Meeting, current_year
from pledges import selectors, services
from pledges.models import (
    CommendationQuota,
    Pledge,
    PledgeItem,
    PledgeSignature,
    Registration,
)
from tests.blocs.test_views import _assert_constant
from tests.factories import (
    ChairTermFactory,
    CriterionFactory,
    EmulationTitleFactory,
    MembershipFactory,
    OfficialFactory,
    PledgeFactory,
    PledgeItemFactory,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = current_year()


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def url(name, obj, query=""):
    return reverse(f"pledges:{name}", args=[obj.pk]) + query


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def set_status(pledge, status):
    Pledge.objects.filter(pk=pledge.pk).update(status=status)
    pledge.refresh_from_db()
    return pledge


@pytest.fixture
def open_pledge(pledge):
    return set_status(pledge, Pledge.Status.OPEN)


@pytest.fixture
def launch(world):
    return bloc_services.meeting_create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.LAUNCH,
        title="Hội nghị phát động và ký kết giao ước thi đua",
        starts_at=dt.datetime(YEAR, 1, 2, 8, 0, tzinfo=VN),
        place="Hải Phòng",
    )


# List and creation -----------------------------------------------------------


def test_list_is_empty_for_members_and_offers_creation_to_the_secretariat(world, client_for):
    bloc_url = reverse("pledges:pledge_list", args=[world.bloc.pk])
    create = reverse("pledges:pledge_create", args=[world.bloc.pk])
    page = client_for("member").get(bloc_url).content.decode()
    assert "No pledges recorded yet" in page and create not in page
    page = client_for("secretariat").get(bloc_url).content.decode()
    assert create in page
    assert "Start from last year" not in page  # nothing to start from


def test_list_shows_the_years_with_their_status(world, client_for):
    PledgeFactory(bloc=world.bloc, year=YEAR - 1, status=Pledge.Status.CLOSED)
    response = client_for("secretariat").get(reverse("pledges:pledge_list", args=[world.bloc.pk]))
    page = response.content.decode()
    assert f"Giao ước thi đua năm {YEAR - 1}" in page and "Closed" in page
    assert 'id="copy-pledge"' in page


def test_once_this_year_exists_next_years_secretariat_may_prepare_it(pledge, world, client_for):
    bloc_url = reverse("pledges:pledge_list", args=[world.bloc.pk])
    page = client_for("secretariat").get(bloc_url).content.decode()
    assert 'id="new-pledge"' not in page  # no chair term for next year yet
    ChairTermFactory(bloc=world.bloc, year=YEAR + 1, chair=world.orgs[0])
    page = client_for("secretariat").get(bloc_url).content.decode()
    assert f"?year={YEAR + 1}&amp;copy=1" in page and f"New pledge for {YEAR + 1}" in page


def test_create_a_new_pledge(world, client_for):
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]),
        {"year": YEAR, "title": f"Giao ước thi đua năm {YEAR}"},
        follow=True,
    )
    created = Pledge.objects.get()
    assert response.redirect_chain == [(created.get_absolute_url(), 302)]
    assert "The pledge has been created as a draft." in messages_of(response)
    assert (created.bloc, created.year, created.status) == (world.bloc, YEAR, "draft")


def test_create_from_last_year_copies_the_contents(world, client_for):
    previous = PledgeFactory(bloc=world.bloc, year=YEAR - 1)
    PledgeItemFactory(pledge=previous, text="Thực hiện tốt công tác tuyên truyền")
    CriterionFactory(pledge=previous, code="A", max_points=100)
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]),
        {"year": YEAR, "title": "Giao ước thi đua mới", "copy_previous": "on"},
    )
    created = Pledge.objects.get(year=YEAR)
    assert response.status_code == 302
    assert created.title == "Giao ước thi đua mới" and created.copied_from == previous
    assert [i.text for i in created.items.all()] == ["Thực hiện tốt công tác tuyên truyền"]
    assert created.criteria.get().code == "A"


def test_create_from_last_year_without_one_says_so(world, client_for):
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]),
        {"year": YEAR, "title": "", "copy_previous": "on"},
    )
    assert response.status_code == 200
    assert "has no pledge before" in " ".join(response.context["form"].non_field_errors())
    assert not Pledge.objects.exists()


def test_create_refuses_a_year_that_exists(world, client_for, pledge):
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]), {"year": YEAR, "title": "Lại"}
    )
    assert response.status_code == 200
    assert "already has a pledge for" in str(response.context["form"].errors)
    assert Pledge.objects.count() == 1


def test_create_needs_a_title_or_copying(world, client_for):
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]), {"year": YEAR, "title": ""}
    )
    assert response.context["form"].errors["title"]
    assert not Pledge.objects.exists()


def test_members_and_outsiders_cannot_post_a_new_pledge(world, client_for):
    create = reverse("pledges:pledge_create", args=[world.bloc.pk])
    assert client_for("member").post(create, {"year": YEAR, "title": "X"}).status_code == 403
    assert client_for("outsider").post(create, {"year": YEAR, "title": "X"}).status_code == 404
    assert not Pledge.objects.exists()


# The pledge page ---------------------------------------------------------------


def test_pledge_page_shows_contents_criteria_rules_and_signatures(pledge, world, client_for):
    PledgeSignature.objects.create(
        pledge=pledge,
        organization=world.orgs[1],
        signer_name="Nguyễn Văn Đoàn",
        signer_position="Bí thư Thành đoàn",
        signed_at=timezone.now(),
    )
    pledge.registration_deadline = dt.date(YEAR, 3, 31)
    pledge.legal_basis = "Căn cứ Luật Thi đua, khen thưởng 2022;\nCăn cứ Quy chế hoạt động"
    pledge.status = Pledge.Status.OPEN  # members read a pledge once it is open for signing
    pledge.save()
    response = client_for("member").get(url("pledge_detail", pledge))
    page = response.content.decode()
    for item in pledge.items.all():
        assert item.text in page
    assert "Tiêu chí chung" in page and "Σ sub-criteria 40" in page
    assert 'id="groups-total">100<' in page
    assert "Hoàn thành xuất sắc nhiệm vụ: from 90 points" in page
    assert "more than 50% of all members of the bloc" in page
    assert "More bonus points" in page  # the first tie-break
    assert f"31/03/{YEAR}" in page
    assert "Căn cứ Quy chế hoạt động" in page
    assert "Nguyễn Văn Đoàn" in page and "Not signed yet" in page
    assert "1/4 signed" in page


def test_secretariat_sees_the_write_buttons_members_do_not(pledge, client_for):
    writes = [url(n, pledge) for n in ("pledge_edit", "pledge_items", "pledge_criteria")]
    writes.append(url("pledge_status", pledge))
    page = client_for("secretariat").get(url("pledge_detail", pledge)).content.decode()
    assert all(w in page for w in writes)
    # a draft is the secretariat's (404 for members); opened for signing, members read it
    assert client_for("member").get(url("pledge_detail", pledge)).status_code == 404
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.OPEN)
    page = client_for("member").get(url("pledge_detail", pledge)).content.decode()
    assert not any(w in page for w in writes)
    assert url("registration", pledge) in page  # "My registration"
    assert url("pledge_sign", pledge) in page  # open for signing: "Sign for ..."


def test_member_is_invited_to_sign_while_open(open_pledge, client_for):
    page = client_for("member").get(url("pledge_detail", open_pledge)).content.decode()
    assert "Sign for LĐLĐ" in page


def test_a_closed_pledge_is_read_only(pledge, client_for):
    set_status(pledge, Pledge.Status.CLOSED)
    client = client_for("secretariat")
    page = client.get(url("pledge_detail", pledge)).content.decode()
    assert "is closed and read-only" in page
    for name in ("pledge_edit", "pledge_items", "pledge_criteria"):
        assert url(name, pledge) not in page
        response = client.get(url(name, pledge), follow=True)
        assert response.redirect_chain == [(pledge.get_absolute_url(), 302)], name
        assert any("is closed" in m for m in messages_of(response))
    assert url("pledge_status", pledge) in page  # reopen
    client.post(url("pledge_edit", pledge), {"title": "Đổi"})
    pledge.refresh_from_db()
    assert pledge.title == f"Giao ước thi đua năm {YEAR}"


def test_pledge_page_query_count_is_constant(pledge, world, client_for, django_assert_num_queries):
    group = pledge.criteria.get(code="B")

    def grow(n):
        for _ in range(n):
            joined = MembershipFactory(bloc=world.bloc, first_year=YEAR - 1).organization
            PledgeSignature.objects.create(
                pledge=pledge,
                organization=joined,
                signer_name="Trần Văn B",
                signer_position="Chủ tịch",
                signed_at=timezone.now(),
            )
            PledgeItemFactory(pledge=pledge)
            CriterionFactory(pledge=pledge, parent=group, max_points=0)
            CommendationQuota.objects.create(
                pledge=pledge, title=EmulationTitleFactory(), max_percent=20
            )

    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.OPEN)  # members read it
    client = client_for("member")
    grow(1)
    count = _assert_constant(
        client, url("pledge_detail", pledge), lambda: grow(9), django_assert_num_queries
    )
    # session, user, pledge (by its key), secretariat (blocs.rules.secretariat_spans: the
    # assignments and chair terms, one union), the blocs and years the user reads
    # (blocs.models.read_spans), my official with its organization
    # (blocs.models.official_of, which the navbar reads too; its membership is one of the
    # spans), criteria, quotas, signatures, members, items, the bell; open for signing
    # (members read only such a pledge, issue 12): the issued pledge document, if any
    assert count == 13


# Rules -----------------------------------------------------------------------------


def rules_data(**overrides):
    data = {
        "title": f"Giao ước thi đua năm {YEAR}",
        "legal_basis": "Căn cứ Luật Thi đua, khen thưởng",
        "scoring_method": "self_verified",
        "bonus_cap": "5",
        "penalty_cap": "",
        "vote_threshold": "50",
        "vote_threshold_strict": "1",
        "vote_base": "members",
        "leading_units": "2",
        "registration_deadline": f"31/03/{YEAR}",
        "scoring_deadline": "",
        "launch_meeting": "",
        "review_meeting": "",
        "tie_break_1": "penalty",
        "tie_break_2": "",
        "tie_break_3": "base_points",
        "tie_break_4": "",
        "bands-TOTAL_FORMS": "3",
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "1000",
        "bands-0-name": "Xuất sắc",
        "bands-0-min": "90",
        "bands-1-name": "Tốt",
        "bands-1-min": "70.5",
        "bands-2-name": "",
        "bands-2-min": "",
        "quotas-TOTAL_FORMS": "1",
        "quotas-INITIAL_FORMS": "0",
        "quotas-MIN_NUM_FORMS": "0",
        "quotas-MAX_NUM_FORMS": "1000",
        "quotas-0-title": "",
        "quotas-0-max_percent": "",
        "quotas-0-base": "members",
        "quotas-0-max_count": "",
    }
    return {**data, **overrides}


def test_edit_form_shows_bands_and_tie_breaks_as_inputs(pledge, client_for):
    response = client_for("secretariat").get(url("pledge_edit", pledge))
    page = response.content.decode()
    assert 'value="Hoàn thành xuất sắc nhiệm vụ"' in page
    assert response.context["form"]["tie_break_1"].value() == "bonus"
    assert "“name”" not in page.split("<form", 1)[1]  # no raw JSON to type


def test_edit_saves_the_rules(pledge, launch, client_for):
    response = client_for("secretariat").post(
        url("pledge_edit", pledge), rules_data(launch_meeting=launch.pk), follow=True
    )
    assert "The rules of the year have been saved." in messages_of(response)
    pledge.refresh_from_db()
    assert pledge.classification_bands == [
        {"name": "Xuất sắc", "min": 90},
        {"name": "Tốt", "min": 70.5},
    ]
    assert pledge.tie_break_order == ["penalty", "base_points"]
    assert pledge.leading_units == 2 and pledge.penalty_cap is None
    assert pledge.registration_deadline == dt.date(YEAR, 3, 31)
    assert pledge.launch_meeting == launch


def test_edit_sets_changes_and_removes_commendation_quotas(pledge, client_for):
    flag = EmulationTitleFactory(code="co-tp", name="Cờ thi đua thành phố", kind="title")
    client = client_for("secretariat")
    data = rules_data(**{"quotas-0-title": flag.pk, "quotas-0-max_percent": "20"})
    client.post(url("pledge_edit", pledge), data)
    quota = CommendationQuota.objects.get(pledge=pledge)
    assert (quota.title, quota.max_percent, quota.max_count) == (flag, 20, None)
    page = client.get(url("pledge_detail", pledge)).content.decode()
    assert "Cờ thi đua thành phố: at most 20% of the members of the bloc" in page
    data = rules_data(
        **{
            "quotas-INITIAL_FORMS": "1",
            "quotas-0-id": quota.pk,
            "quotas-0-title": flag.pk,
            "quotas-0-max_percent": "20",
            "quotas-0-DELETE": "on",
        }
    )
    client.post(url("pledge_edit", pledge), data)
    assert not CommendationQuota.objects.exists()


def test_edit_refuses_a_quota_without_limits_and_changes_nothing(pledge, client_for):
    flag = EmulationTitleFactory(code="co-tp", name="Cờ thi đua thành phố", kind="title")
    data = rules_data(title="Tên mới", **{"quotas-0-title": flag.pk})
    response = client_for("secretariat").post(url("pledge_edit", pledge), data)
    assert response.status_code == 200
    assert "as a percentage, a number, or both" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.title == f"Giao ước thi đua năm {YEAR}"  # the rules were rolled back
    assert not CommendationQuota.objects.exists()


def test_edit_refuses_bands_out_of_order_and_changes_nothing(pledge, client_for):
    data = rules_data(**{"bands-1-min": "95", "title": "Tên mới"})
    response = client_for("secretariat").post(url("pledge_edit", pledge), data)
    assert response.status_code == 200
    assert "must go from the highest down" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.title == f"Giao ước thi đua năm {YEAR}"
    assert pledge.classification_bands[0]["min"] == 90


def test_edit_refuses_a_tie_break_used_twice(pledge, client_for):
    data = rules_data(tie_break_2="penalty")
    response = client_for("secretariat").post(url("pledge_edit", pledge), data)
    assert response.context["form"].errors["tie_break_2"]
    pledge.refresh_from_db()
    assert pledge.tie_break_order == ["bonus", "penalty"]


def test_members_cannot_post_rules(pledge, client_for):
    # a draft: members do not learn it exists (404); the write is refused all the same
    assert client_for("member").post(url("pledge_edit", pledge), rules_data()).status_code == 404
    assert client_for("outsider").post(url("pledge_edit", pledge), rules_data()).status_code == 404


# Contents ------------------------------------------------------------------------


def items_data(rows, initial=0):
    data = {
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": initial,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{i}-{key}"] = value
    return data


def test_items_are_saved_blank_rows_ignored_removed_rows_deleted(pledge, client_for):
    first, second, third = pledge.items.all()
    rows = [
        {"id": first.pk, "order": 1, "text": "Nội dung sửa"},
        {"id": second.pk, "order": 2, "text": second.text, "DELETE": "on"},
        {"id": third.pk, "order": 3, "text": third.text},
        {"order": "", "text": "Nội dung mới"},
        {"order": "", "text": ""},
    ]
    response = client_for("secretariat").post(
        url("pledge_items", pledge), items_data(rows, initial=3), follow=True
    )
    assert "The contents of the pledge have been saved." in messages_of(response)
    assert [i.text for i in pledge.items.all()] == ["Nội dung sửa", third.text, "Nội dung mới"]


def test_items_of_an_open_pledge_cannot_all_be_removed(open_pledge, client_for):
    rows = [
        {"id": i.pk, "order": 1, "text": i.text, "DELETE": "on"} for i in open_pledge.items.all()
    ]
    response = client_for("secretariat").post(url("pledge_items", open_pledge), items_data(rows, 3))
    assert response.status_code == 200
    assert str(services.OPEN_NEEDS_ITEMS) in messages_of(response)
    assert open_pledge.items.count() == 3


def test_items_are_frozen_once_signed(pledge, client_for):
    set_status(pledge, Pledge.Status.SIGNED)
    response = client_for("secretariat").get(url("pledge_items", pledge), follow=True)
    assert response.redirect_chain == [(pledge.get_absolute_url(), 302)]
    assert any("can no longer" in m for m in messages_of(response))


# Criteria --------------------------------------------------------------------------


def criterion_data(**overrides):
    data = {
        "parent": "",
        "code": "C",
        "text": "Điểm thưởng",
        "max_points": "0",
        "bonus_cap": "5",
        "order": "3",
    }
    return {**data, **overrides}


def test_criteria_page_shows_the_tree_with_sums(pledge, client_for):
    page = client_for("secretariat").get(url("pledge_criteria", pledge)).content.decode()
    assert "Σ sub-criteria 40" in page and "?edit=" in page and "?delete=" in page


def test_add_a_criterion_under_a_group(pledge, client_for):
    group = pledge.criteria.get(code="B")
    group.max_points = 70
    group.save()
    response = client_for("secretariat").post(
        url("pledge_criteria", pledge),
        criterion_data(parent=group.pk, code="B2", max_points="10", evidence_required="on"),
        follow=True,
    )
    assert "The criterion has been added." in messages_of(response)
    added = pledge.criteria.get(code="B2")
    assert added.parent == group and added.evidence_required and added.max_points == 10


def test_a_criterion_over_its_parent_is_refused_with_the_sum(pledge, client_for):
    group = pledge.criteria.get(code="A")
    response = client_for("secretariat").post(
        url("pledge_criteria", pledge), criterion_data(parent=group.pk, code="A3", max_points="5")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The sub-criteria of A add up to 45 points, more than its 40." in page
    assert not pledge.criteria.filter(code="A3").exists()


def test_edit_a_criterion(pledge, client_for):
    a1 = pledge.criteria.get(code="A1")
    client = client_for("secretariat")
    form = client.get(url("pledge_criteria", pledge, f"?edit={a1.pk}")).context["form"]
    assert form["code"].value() == "A1"
    assert a1.pk not in [c.pk for c in form.fields["parent"].queryset]
    data = criterion_data(parent=a1.parent_id, code="A1", text="Sửa", max_points="10", order="1")
    client.post(url("pledge_criteria", pledge, f"?edit={a1.pk}"), data)
    a1.refresh_from_db()
    assert (a1.text, a1.max_points) == ("Sửa", 10)


def test_delete_a_criterion_after_confirmation(pledge, client_for):
    group = pledge.criteria.get(code="A")
    client = client_for("secretariat")
    page = client.get(url("pledge_criteria", pledge, f"?delete={group.pk}")).content.decode()
    assert "Delete the criterion A" in page and "2 sub-criteria are deleted" in page
    assert pledge.criteria.filter(code="A").exists()
    response = client.post(url("pledge_criteria", pledge, f"?delete={group.pk}"), follow=True)
    assert "The criterion has been deleted." in messages_of(response)
    assert sorted(pledge.criteria.values_list("code", flat=True)) == ["B", "B1"]


def test_criteria_of_another_pledge_are_not_found(pledge, world, client_for):
    other = CriterionFactory(pledge=PledgeFactory(bloc=world.bloc, year=YEAR - 1))
    response = client_for("secretariat").get(url("pledge_criteria", pledge, f"?edit={other.pk}"))
    assert response.status_code == 404


def test_members_cannot_post_criteria(pledge, client_for):
    response = client_for("member").post(url("pledge_criteria", pledge), criterion_data())
    assert response.status_code == 404  # a draft: hidden from members
    assert not pledge.criteria.filter(code="C").exists()


# Status and reopening --------------------------------------------------------------


def test_open_the_pledge_through_a_confirmation_page(pledge, client_for):
    client = client_for("secretariat")
    page = client.get(url("pledge_status", pledge)).content.decode()
    assert "Open for signing" in page and "Members can now sign" in page
    response = client.post(url("pledge_status", pledge), {"status": "open"}, follow=True)
    assert "The pledge is now “Open for signing”." in messages_of(response)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


def test_opening_without_contents_is_refused_with_the_reason(pledge, client_for):
    PledgeItem.objects.filter(pledge=pledge).delete()
    response = client_for("secretariat").post(url("pledge_status", pledge), {"status": "open"})
    assert response.status_code == 200
    assert str(services.OPEN_NEEDS_ITEMS) in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.DRAFT


def test_ending_signing_warns_about_members_that_have_not_signed(open_pledge, world, client_for):
    client = client_for("secretariat")
    members = selectors.members_of(open_pledge)
    page = client.get(url("pledge_status", open_pledge)).content.decode()
    assert f"Only 0 of the {len(members)} members have signed" in page
    for org in members:
        sign(open_pledge, org)
    page = client.get(url("pledge_status", open_pledge)).content.decode()
    assert 'id="confirm-warning"' not in page


def test_a_stale_status_confirmation_changes_nothing(pledge, client_for):
    set_status(pledge, Pledge.Status.OPEN)
    response = client_for("secretariat").post(url("pledge_status", pledge), {"status": "open"})
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN


def test_reopen_needs_a_reason(pledge, client_for):
    set_status(pledge, Pledge.Status.CLOSED)
    client = client_for("secretariat")
    page = client.get(url("pledge_status", pledge)).content.decode()
    assert "Reopen the closed pledge" in page and 'name="reason"' in page
    response = client.post(url("pledge_status", pledge), {"reason": "  "})
    assert response.context["form"].errors["reason"]
    pledge.refresh_from_db()
    assert pledge.is_closed
    response = client.post(url("pledge_status", pledge), {"reason": "Sửa điểm"}, follow=True)
    assert "The pledge is reopened for scoring." in messages_of(response)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SCORING
    assert pledge.history.first().history_change_reason == "Sửa điểm"


def test_members_cannot_change_the_status(pledge, client_for):
    status = url("pledge_status", pledge)
    assert client_for("member").post(status, {"status": "open"}).status_code == 404  # a draft
    assert client_for("outsider").post(status, {"status": "open"}).status_code == 404
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.DRAFT


# Signing ---------------------------------------------------------------------------


def test_member_signs_for_its_own_organization(open_pledge, world, client_for):
    client = client_for("member")
    form = client.get(url("pledge_sign", open_pledge)).context["form"]
    member = world.users["member"]
    # Pre-filled with the name written the Vietnamese way: family names, then given name.
    assert form["signer_name"].value() == f"{member.last_name} {member.first_name}"
    assert form["signer_position"].value() == "Chuyên viên"
    data = {"signer_name": "Lê Văn C", "signer_position": "Chủ tịch LĐLĐ"}
    response = client.post(url("pledge_sign", open_pledge), data, follow=True)
    assert f"Liên đoàn Lao động thành phố has signed the {YEAR} pledge." in messages_of(response)
    signature = PledgeSignature.objects.get()
    assert signature.organization == world.orgs[2] and signature.recorded_by.username == "member"
    assert "Lê Văn C" in response.content.decode()
    page = client.get(url("pledge_sign", open_pledge)).content.decode()
    assert 'id="already-signed"' in page


def test_member_cannot_sign_for_another_organization(open_pledge, world, client_for):
    client = client_for("member")
    data = {"organization": world.orgs[3].pk, "signer_name": "X", "signer_position": "Y"}
    client.post(url("pledge_sign", open_pledge), data)
    assert PledgeSignature.objects.get().organization == world.orgs[2]  # its own, not orgs[3]
    response = client.post(url("pledge_sign", open_pledge, "?mode=record"), data)
    assert response.status_code == 403
    assert PledgeSignature.objects.count() == 1


def test_secretariat_records_a_signature_at_the_launch_meeting(
    open_pledge, launch, world, client_for
):
    data = {
        "organization": world.orgs[3].pk,
        "signer_name": "Phạm Thị D",
        "signer_position": "Chủ tịch UBMTTQ",
        "meeting": launch.pk,
    }
    client = client_for("secretariat")
    client.post(url("pledge_sign", open_pledge, "?mode=record"), data)
    signature = PledgeSignature.objects.get()
    assert signature.organization == world.orgs[3] and signature.meeting == launch
    assert signature.signed_at == launch.starts_at
    page = client.get(url("pledge_detail", open_pledge)).content.decode()
    assert f"at the meeting of 02/01/{YEAR}" in page


def test_secretariat_cannot_record_a_non_member(open_pledge, world, client_for):
    data = {"organization": world.outsider_org.pk, "signer_name": "X", "signer_position": "Y"}
    response = client_for("secretariat").post(url("pledge_sign", open_pledge, "?mode=record"), data)
    assert response.context["form"].errors["organization"]
    assert not PledgeSignature.objects.exists()


def test_signing_a_draft_is_refused(pledge, client_for):
    # members do not see a draft at all (404); its secretariat reads why it cannot be signed
    data = {"signer_name": "X", "signer_position": "Y"}
    assert client_for("member").post(url("pledge_sign", pledge), data).status_code == 404
    client = client_for("secretariat")
    assert "it can be signed once" in client.get(url("pledge_sign", pledge)).content.decode()
    response = client.post(url("pledge_sign", pledge), data)
    assert response.status_code == 200
    assert "can be signed only while it is open" in response.content.decode()
    assert not PledgeSignature.objects.exists()


def test_a_former_members_official_cannot_sign(open_pledge, world, client_for, client):
    former = MembershipFactory(bloc=world.bloc, first_year=YEAR - 5, last_year=YEAR - 1)
    official = OfficialFactory(organization=former.organization)
    client.force_login(official.user)
    # a former member reads only the years it was a member of (issue 14): this year's
    # pledge is as unknown to it as to an outsider
    assert client.get(url("pledge_detail", open_pledge)).status_code == 404
    response = client.post(
        url("pledge_sign", open_pledge), {"signer_name": "X", "signer_position": "Y"}
    )
    assert response.status_code == 404
    assert client.get(url("registration", open_pledge)).status_code == 404
    assert not PledgeSignature.objects.exists()


def sign(pledge, organization, name="Nguyễn Văn A", position="Chủ tịch"):
    return services.pledge_sign(
        pledge=pledge, organization=organization, signer_name=name, signer_position=position
    )


def test_secretariat_withdraws_a_signature_after_confirmation(open_pledge, world, client_for):
    signature = sign(open_pledge, world.orgs[3], name="Phạm Thị D")
    client = client_for("secretariat")
    detail = client.get(url("pledge_detail", open_pledge)).content.decode()
    withdraw = url("pledge_sign", open_pledge, f"?delete={signature.pk}")
    assert withdraw.replace("&", "&amp;") in detail
    page = client.get(withdraw)
    assert page.status_code == 200
    assert "Withdraw the signature of" in page.content.decode()
    assert "Phạm Thị D" in page.content.decode()
    assert PledgeSignature.objects.exists()  # GET only asks
    response = client.post(withdraw, follow=True)
    assert response.redirect_chain[-1][0].startswith(url("pledge_detail", open_pledge))
    assert not PledgeSignature.objects.exists()
    name = world.orgs[3].name
    assert f"The signature of {name} has been withdrawn." in messages_of(response)


def test_member_withdraws_only_its_own_signature(open_pledge, world, client_for):
    own = sign(open_pledge, world.orgs[2])
    other = sign(open_pledge, world.orgs[3])
    client = client_for("member")
    detail = client.get(url("pledge_detail", open_pledge)).content.decode()
    assert f"?delete={own.pk}" in detail and f"?delete={other.pk}" not in detail
    assert 'id="withdraw-signature"' in client.get(url("pledge_sign", open_pledge)).content.decode()
    assert client.get(url("pledge_sign", open_pledge, f"?delete={other.pk}")).status_code == 403
    assert client.post(url("pledge_sign", open_pledge, f"?delete={other.pk}")).status_code == 403
    client.post(url("pledge_sign", open_pledge, f"?delete={own.pk}"))
    assert list(PledgeSignature.objects.all()) == [other]
    # it may sign again
    client.post(url("pledge_sign", open_pledge), {"signer_name": "X", "signer_position": "Y"})
    assert PledgeSignature.objects.count() == 2


def test_withdrawing_unknown_or_outside_signatures(open_pledge, world, client_for):
    signature = sign(open_pledge, world.orgs[3])
    other_year = PledgeFactory(bloc=world.bloc, year=YEAR - 1, status=Pledge.Status.OPEN)
    client = client_for("secretariat")
    assert client.get(url("pledge_sign", open_pledge, "?delete=999999")).status_code == 404
    assert client.get(url("pledge_sign", open_pledge, "?delete=abc")).status_code == 404
    assert client.post(url("pledge_sign", other_year, f"?delete={signature.pk}")).status_code == 404
    outsider = client_for("outsider")
    assert (
        outsider.post(url("pledge_sign", open_pledge, f"?delete={signature.pk}")).status_code == 404
    )
    assert PledgeSignature.objects.count() == 1


@pytest.mark.parametrize("status", [Pledge.Status.SIGNED, Pledge.Status.CLOSED])
def test_signatures_cannot_be_withdrawn_once_signing_is_over(
    open_pledge, world, client_for, status
):
    signature = sign(open_pledge, world.orgs[3])
    set_status(open_pledge, status)
    client = client_for("secretariat")
    detail = client.get(url("pledge_detail", open_pledge)).content.decode()
    assert "?delete=" not in detail
    withdraw = url("pledge_sign", open_pledge, f"?delete={signature.pk}")
    for response in (client.get(withdraw, follow=True), client.post(withdraw, follow=True)):
        [message] = messages_of(response)
        assert ("only while the pledge is open" in message) or ("is closed" in message)
    assert PledgeSignature.objects.filter(pk=signature.pk).exists()


# Registration ----------------------------------------------------------------------


@pytest.fixture
def titles(db):
    return [
        EmulationTitleFactory(code="co-thi-dua", name="Cờ thi đua", kind="commendation"),
        EmulationTitleFactory(code="httxs", name="Hoàn thành xuất sắc", kind="rating"),
    ]


def registration_data(pledge, titles, submit=False, **targets):
    items = list(pledge.items.all())
    data = {
        "titles": [t.pk for t in titles],
        "note": "Đăng ký thi đua",
        "targets-TOTAL_FORMS": len(items),
        "targets-INITIAL_FORMS": len(items),
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data[f"targets-{i}-item"] = item.pk
        data[f"targets-{i}-text"] = targets.get(f"text{i}", "")
        data[f"targets-{i}-number"] = targets.get(f"number{i}", "")
        data[f"targets-{i}-unit"] = targets.get(f"unit{i}", "")
    data["submit" if submit else "save"] = "1"
    return data


def test_registration_form_groups_titles_and_lists_the_contents(open_pledge, titles, client_for):
    page = client_for("member").get(url("registration", open_pledge)).content.decode()
    assert "Commendation" in page and "Task-completion rating" in page
    assert "Cờ thi đua" in page
    for item in open_pledge.items.all():
        assert item.text in page
    assert "Save draft" in page and "Submit to the secretariat" in page


def test_registration_save_draft_then_submit(open_pledge, titles, world, client_for):
    client = client_for("member")
    data = registration_data(
        open_pledge, titles[:1], text0="Phát triển 500 đoàn viên", number0="500", unit0="đoàn viên"
    )
    response = client.post(url("registration", open_pledge), data, follow=True)
    assert "The registration has been saved as a draft." in messages_of(response)
    found = Registration.objects.get()
    assert found.organization == world.orgs[2] and found.submitted_at is None
    assert list(found.titles.all()) == titles[:1]
    target = found.targets.get()
    assert (target.number, target.unit) == (500, "đoàn viên")
    data = registration_data(open_pledge, titles, submit=True, text1="Tổ chức 2 hội thi")
    response = client.post(url("registration", open_pledge), data, follow=True)
    assert "The registration has been submitted to the secretariat." in messages_of(response)
    found.refresh_from_db()
    assert found.submitted_at is not None and found.titles.count() == 2
    assert [t.text for t in found.targets.all()] == ["Tổ chức 2 hội thi"]


def test_registration_target_number_without_text_is_refused(open_pledge, titles, client_for):
    data = registration_data(open_pledge, titles, number0="5")
    response = client_for("member").post(url("registration", open_pledge), data)
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["text"]
    assert not Registration.objects.exists()


def test_registration_after_the_deadline_is_read_only(open_pledge, titles, client_for):
    open_pledge.registration_deadline = timezone.localdate() - dt.timedelta(days=1)
    open_pledge.save()
    client = client_for("member")
    page = client.get(url("registration", open_pledge)).content.decode()
    assert "Registration for" in page and "closed on" in page and "Save draft" not in page
    response = client.post(url("registration", open_pledge), registration_data(open_pledge, titles))
    assert response.status_code == 200
    assert any("closed on" in m for m in messages_of(response))
    assert not Registration.objects.exists()


def test_registration_of_a_closed_pledge_is_read_only(open_pledge, titles, client_for):
    set_status(open_pledge, Pledge.Status.CLOSED)
    client = client_for("member")
    page = client.get(url("registration", open_pledge)).content.decode()
    assert 'id="read-only"' in page and "Submit to the secretariat" not in page
    client.post(url("registration", open_pledge), registration_data(open_pledge, titles))
    assert not Registration.objects.exists()


def test_secretariat_opens_any_members_registration(open_pledge, titles, world, client_for):
    client = client_for("secretariat")
    response = client.get(url("registration", open_pledge, f"?org={world.orgs[3].pk}"))
    assert response.context["organization"] == world.orgs[3]
    data = registration_data(open_pledge, titles, text0="Mục tiêu")
    response = client.post(url("registration", open_pledge, f"?org={world.orgs[3].pk}"), data)
    assert response.status_code == 302
    assert Registration.objects.get().organization == world.orgs[3]
    missing = client.get(url("registration", open_pledge, f"?org={world.outsider_org.pk}"))
    assert missing.status_code == 404


def test_members_read_only_submitted_registrations_of_others(
    open_pledge, titles, world, client_for
):
    other = url("registration", open_pledge, f"?org={world.orgs[3].pk}")
    client = client_for("member")
    assert client.get(other).status_code == 403
    services.registration_save(
        pledge=open_pledge, organization=world.orgs[3], titles=titles, targets=[], submit=True
    )
    response = client.get(other)
    assert response.status_code == 200 and not response.context["writable"]
    response = client.post(other, registration_data(open_pledge, titles[:1]))
    assert Registration.objects.get().titles.count() == 2  # nothing changed


def test_registration_list_shows_what_each_role_may_see(open_pledge, titles, world, client_for):
    services.registration_save(
        pledge=open_pledge, organization=world.orgs[0], titles=titles[:1], targets=[], submit=True
    )
    services.registration_save(
        pledge=open_pledge, organization=world.orgs[3], titles=titles[1:], targets=[]
    )
    rows = client_for("member").get(url("registration_list", open_pledge)).context["rows"]
    assert [r.state for r in rows] == ["submitted", "none", "none", "none"]
    page = client_for("member").get(url("registration_list", open_pledge)).content.decode()
    assert "Cờ thi đua" in page and "Hoàn thành xuất sắc" not in page  # a draft stays hidden
    rows = client_for("secretariat").get(url("registration_list", open_pledge)).context["rows"]
    assert [r.state for r in rows] == ["submitted", "none", "none", "draft"]


def test_registration_list_query_count_is_constant(
    open_pledge, titles, world, client_for, django_assert_num_queries
):
    items = list(open_pledge.items.all())

    def grow(n):
        for _ in range(n):
            org = MembershipFactory(bloc=world.bloc, first_year=YEAR - 1).organization
            services.registration_save(
                pledge=open_pledge,
                organization=org,
                titles=titles,
                targets=[{"item": items[0], "text": "Mục tiêu"}],
                submit=True,
            )

    grow(1)
    count = _assert_constant(
        client_for("member"),
        url("registration_list", open_pledge),
        lambda: grow(9),
        django_assert_num_queries,
    )
    # session, user, pledge, secretariat (blocs.rules.secretariat_spans, one union), the
    # blocs and years the user reads (blocs.models.read_spans), my official with its
    # organization (official_of, the navbar's too; its membership is one of the spans),
    # registrations, their titles, members, the bell
    assert count == 10


# The bloc page links here ----------------------------------------------------------


def test_bloc_page_links_to_the_pledges_with_this_years_status(pledge, world, client_for):
    response = client_for("secretariat").get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    page = response.content.decode()
    assert reverse("pledges:pledge_list", args=[world.bloc.pk]) in page
    assert pledge.get_absolute_url() in page and "Draft" in page
    # the draft stays with the secretariat until it is opened for signing
    response = client_for("member").get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    assert pledge.get_absolute_url() not in response.content.decode()


# The signing and registration pages run a fixed number of queries too ------------------


def _grow_members(pledge, n, sign=False):
    for _ in range(n):
        org = MembershipFactory(bloc=pledge.bloc, first_year=YEAR - 1).organization
        PledgeItemFactory(pledge=pledge)
        if sign:
            PledgeSignature.objects.create(
                pledge=pledge,
                organization=org,
                signer_name="Trần Văn B",
                signer_position="Chủ tịch",
                signed_at=timezone.now(),
            )


@pytest.mark.parametrize(("role", "query"), [("member", ""), ("secretariat", "?mode=record")])
def test_signing_page_query_count_is_constant(
    open_pledge, client_for, django_assert_num_queries, role, query
):
    _grow_members(open_pledge, 1, sign=True)
    count = _assert_constant(
        client_for(role),
        url("pledge_sign", open_pledge, query),
        lambda: _grow_members(open_pledge, 9, sign=True),
        django_assert_num_queries,
    )
    # session, user, pledge, secretariat (blocs.rules.secretariat_spans, one union), my
    # official with its organization (official_of, the navbar's too), members, signatures
    # (+ the launch meetings to record at), the bell; a member: the blocs and years the user
    # reads (blocs.models.read_spans, one query) and no launch meetings to record at
    assert count == (10 if role == "member" else 11)


def test_registration_page_query_count_is_constant(
    open_pledge, titles, world, client_for, django_assert_num_queries
):
    client = client_for("member")
    items = list(open_pledge.items.all())
    services.registration_save(
        pledge=open_pledge,
        organization=world.orgs[2],
        titles=titles,
        targets=[{"item": items[0], "text": "Mục tiêu"}],
    )
    count = _assert_constant(
        client,
        url("registration", open_pledge),
        lambda: _grow_members(open_pledge, 9),
        django_assert_num_queries,
    )
    # session, user, pledge, my official with its organization (official_of, the navbar's
    # too), members, the registration + its titles + targets, secretariat
    # (blocs.rules.secretariat_spans, one union), contents, active titles, the bell, the
    # blocs and years the user reads (blocs.models.read_spans: the organization's
    # membership is one of them)
    assert count == 13


def test_copying_a_pledge_from_before_2024_warns_that_the_legal_basis_changed(world, client_for):
    old_law = "Căn cứ Luật Thi đua, Khen thưởng năm 2003;\nCăn cứ Nghị định số 91/2017/NĐ-CP."
    PledgeFactory(bloc=world.bloc, year=2023, legal_basis=old_law)
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]),
        {"year": YEAR, "title": "", "copy_previous": "on"},
        follow=True,
    )
    created = Pledge.objects.get(year=YEAR)
    assert "91/2017" not in created.legal_basis and "2003" not in created.legal_basis
    assert "06/2022/QH15" in created.legal_basis and "152/2025/NĐ-CP" in created.legal_basis
    warning = services.LEGAL_BASIS_CHANGED % {"source": 2023, "year": YEAR}
    assert warning in messages_of(response)


def test_copying_a_pledge_under_the_2022_law_keeps_its_legal_basis(world, client_for):
    PledgeFactory(bloc=world.bloc, year=YEAR - 1, legal_basis="Căn cứ Quy chế của Khối.")
    response = client_for("secretariat").post(
        reverse("pledges:pledge_create", args=[world.bloc.pk]),
        {"year": YEAR, "title": "", "copy_previous": "on"},
        follow=True,
    )
    assert Pledge.objects.get(year=YEAR).legal_basis == "Căn cứ Quy chế của Khối."
    assert not any("legal basis" in m for m in messages_of(response))


def test_a_deadline_set_in_the_past_is_saved_with_a_warning_once(pledge, client_for):
    """A self-scoring deadline typed as 30/11 on 1/12 of the year: saved (a late year may
    record the real dates), but the secretariat hears it when it sets it, not the members at
    their final submit; saving the rules again with the same date warns no more."""
    client = client_for("secretariat")
    data = rules_data(registration_deadline=f"31/10/{YEAR}", scoring_deadline=f"30/11/{YEAR}")
    with time_machine.travel(
        dt.datetime(YEAR, 12, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False
    ):
        shown = messages_of(client.post(url("pledge_edit", pledge), data, follow=True))
        again = messages_of(client.post(url("pledge_edit", pledge), data, follow=True))
        later = rules_data(registration_deadline=f"31/10/{YEAR}", scoring_deadline=f"15/12/{YEAR}")
        future = messages_of(client.post(url("pledge_edit", pledge), later, follow=True))
    pledge.refresh_from_db()
    assert pledge.registration_deadline == dt.date(YEAR, 10, 31)
    past = [m for m in shown if "is already past" in m]
    assert past == [
        f"Registration deadline: 31/10/{YEAR} is already past (today is 01/12/{YEAR}), members "
        "can no longer meet it. Check the date, and tell the members if it is right.",
        f"Self-scoring deadline: 30/11/{YEAR} is already past (today is 01/12/{YEAR}), members "
        "can no longer meet it. Check the date, and tell the members if it is right.",
    ]
    assert not [m for m in again if "is already past" in m]
    assert not [m for m in future if "is already past" in m]
    assert "The rules of the year have been saved." in future
