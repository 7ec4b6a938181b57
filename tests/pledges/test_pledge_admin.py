"""The pledges admin: pages load, query counts, writes through the services, closed pledges
read-only, and the read-only pages for what the portal records."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from blocs.models import current_year
from pledges import services
from pledges.models import (
    Adjustment,
    Ballot,
    BallotCandidate,
    CommendationQuota,
    Criterion,
    EmulationTitle,
    Evidence,
    Pledge,
    PledgeItem,
    PledgeSignature,
    Proposal,
    Registration,
    RegistrationTarget,
    Score,
    ScoreSheet,
)
from tests.factories import (
    BlocFactory,
    CriterionFactory,
    EmulationTitleFactory,
    PledgeFactory,
    PledgeItemFactory,
)

YEAR = current_year()


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["admin"])
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _set_status(pledge, status) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(status=status)
    pledge.refresh_from_db()
    return pledge


def _value(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _form_fields(form, data: dict) -> None:
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[form.add_prefix(name)] = "on"
        elif value is not False:
            data[form.add_prefix(name)] = _value(value)


def _change_data(response) -> dict:
    """The POST data that saves the admin change page unchanged."""
    data = {}
    _form_fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_fields(formset.management_form, data)
        for form in formset.forms:
            _form_fields(form, data)
    return data


def _formset(response, model):
    return next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is model
    )


def _row(response, model, **match) -> str:
    """The prefix of the inline form whose instance matches `match`."""
    for form in _formset(response, model).forms:
        if all(getattr(form.instance, k) == v for k, v in match.items()):
            return form.prefix
    raise LookupError(match)


# ---------------------------------------------------------------------------
# Every page loads
# ---------------------------------------------------------------------------


@pytest.fixture
def recorded(pledge, world):
    """One row of every model the portal records for the pledge."""
    org, other = world.orgs[2], world.orgs[1]
    title = EmulationTitle.objects.get(code="bk-tinh")
    CommendationQuota.objects.create(pledge=pledge, title=title, max_count=2)
    signature = PledgeSignature.objects.create(
        pledge=pledge,
        organization=org,
        signer_name="Trần Thị B",
        signer_position="Chủ tịch",
        signed_at=timezone.now(),
    )
    registration = Registration.objects.create(pledge=pledge, organization=org)
    registration.titles.set([title])
    RegistrationTarget.objects.create(
        registration=registration, item=pledge.items.first(), text="Chỉ tiêu", number=5
    )
    sheet = ScoreSheet.objects.create(pledge=pledge, organization=org, round="self")
    score = Score.objects.create(
        sheet=sheet, criterion=Criterion.objects.get(pledge=pledge, code="A1"), points=10
    )
    evidence = Evidence.objects.create(
        score=score,
        file="evidence/x.pdf",
        original_name="minh-chung.pdf",
        content_type="application/pdf",
        size=10,
    )
    adjustment = Adjustment.objects.create(
        pledge=pledge, organization=org, kind="penalty", points=Decimal("0.5"), reason="Nộp muộn"
    )
    ballot = Ballot.objects.create(
        pledge=pledge,
        purpose="leading",
        title="Suy tôn đơn vị dẫn đầu",
        members_total=4,
        present=4,
        issued=4,
        returned=4,
        valid=4,
        invalid=0,
    )
    BallotCandidate.objects.create(ballot=ballot, organization=other, votes=3)
    proposal = Proposal.objects.create(
        pledge=pledge, organization=other, title=title, ballot=ballot
    )
    return {
        "emulationtitle": title,
        "pledge": pledge,
        "registration": registration,
        "scoresheet": sheet,
        "score": score,
        "evidence": evidence,
        "adjustment": adjustment,
        "ballot": ballot,
        "proposal": proposal,
        "signature": signature,
    }


MODELS = [
    "emulationtitle",
    "pledge",
    "registration",
    "scoresheet",
    "score",
    "evidence",
    "adjustment",
    "ballot",
    "proposal",
]
READ_ONLY = ["registration", "scoresheet", "score", "evidence", "adjustment", "ballot", "proposal"]


@pytest.mark.parametrize("model", MODELS)
def test_every_pledges_admin_page_loads(admin_client, recorded, model):
    obj = recorded[model]
    urls = [
        reverse(f"admin:pledges_{model}_changelist"),
        reverse(f"admin:pledges_{model}_change", args=[obj.pk]),
    ]
    if model != "evidence":  # evidence keeps no history
        urls.append(reverse(f"admin:pledges_{model}_history", args=[obj.pk]))
    if model not in READ_ONLY:
        urls.append(reverse(f"admin:pledges_{model}_add"))
    for url in urls:
        response = admin_client.get(url)
        assert response.status_code == 200, url
    changelist = admin_client.get(urls[0])
    assert changelist.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", READ_ONLY)
def test_recorded_rows_are_read_only_in_the_admin(admin_client, recorded, model):
    obj = recorded[model]
    assert admin_client.get(reverse(f"admin:pledges_{model}_add")).status_code == 403
    change = admin_client.get(reverse(f"admin:pledges_{model}_change", args=[obj.pk]))
    assert change.context["has_change_permission"] is False
    assert change.context["has_delete_permission"] is False
    response = admin_client.post(reverse(f"admin:pledges_{model}_change", args=[obj.pk]), {})
    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_the_evidence_page_does_not_link_the_stored_file(admin_client, recorded):
    evidence = recorded["evidence"]
    response = admin_client.get(reverse("admin:pledges_evidence_change", args=[evidence.pk]))
    assert "evidence/x.pdf" not in response.content.decode()


def test_signatures_show_read_only_on_the_pledge(admin_client, recorded, pledge):
    response = admin_client.get(reverse("admin:pledges_pledge_change", args=[pledge.pk]))
    formset = _formset(response, PledgeSignature)
    assert not formset.forms[0].fields.get("signer_name")
    assert "Trần Thị B" in response.content.decode()


def test_pledge_changelist_filters_by_bloc_year_and_status(admin_client, pledge, world):
    other = PledgeFactory(bloc=world.other_bloc, year=YEAR - 1, status=Pledge.Status.CLOSED)
    url = reverse("admin:pledges_pledge_changelist")
    for params, expected in [
        ({"bloc__id__exact": world.bloc.pk}, [pledge]),
        ({"year": YEAR - 1}, [other]),
        ({"status__exact": "closed"}, [other]),
        ({"q": "cum thi dua"}, [other]),  # accent-free search on the bloc name
    ]:
        response = admin_client.get(url, params)
        assert list(response.context["cl"].result_list) == expected, params


# ---------------------------------------------------------------------------
# Query counts do not grow with rows
# ---------------------------------------------------------------------------


def _add_pledges(n: int) -> None:
    for i in range(n):
        pledge = PledgeFactory(bloc=BlocFactory(), year=YEAR - (i % 3))
        PledgeItemFactory(pledge=pledge)
        CriterionFactory(pledge=pledge)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


CHANGELISTS = [
    "admin:pledges_pledge_changelist",
    "admin:pledges_emulationtitle_changelist",
    "admin:pledges_registration_changelist",
    "admin:pledges_scoresheet_changelist",
    "admin:pledges_proposal_changelist",
]


def test_changelist_queries_do_not_grow_with_rows(admin_client, recorded):
    _add_pledges(3)
    small = {name: _count(admin_client, reverse(name)) for name in CHANGELISTS}
    _add_pledges(27)
    large = {name: _count(admin_client, reverse(name)) for name in CHANGELISTS}
    assert large == small
    response = admin_client.get(reverse("admin:pledges_pledge_changelist"))
    assert response.context["cl"].result_count == 31
    row = next(p for p in response.context["cl"].result_list if p.pk == recorded["pledge"].pk)
    assert (row._signatures, row._criteria) == (1, 5)


# ---------------------------------------------------------------------------
# Writes go through the services
# ---------------------------------------------------------------------------


def _add_data(world, **extra) -> dict:
    data = {
        "bloc": world.other_bloc.pk,
        "year": YEAR,
        "title": "Giao ước thi đua Cụm 5",
        "scoring_method": "self_verified",
        "classification_bands": "[]",
        "tie_break_order": "[]",
        "vote_threshold": "50",
        "vote_threshold_strict": "on",
        "vote_base": "members",
        "leading_units": "1",
        "legal_basis": "",
    }
    for prefix in ("items", "criteria", "quotas", "signatures"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(extra)
    return data


def test_adding_a_pledge_goes_through_the_service(admin_client, world):
    data = _add_data(
        world,
        **{
            "classification_bands": '[{"name": "Xuất sắc", "min": 90}]',
            "items-TOTAL_FORMS": "1",
            "items-0-order": "1",
            "items-0-text": "Đẩy mạnh phong trào thi đua",
            "criteria-TOTAL_FORMS": "1",
            "criteria-0-code": "A",
            "criteria-0-text": "Tiêu chí chung",
            "criteria-0-max_points": "100",
            "criteria-0-order": "1",
        },
    )
    response = admin_client.post(reverse("admin:pledges_pledge_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    pledge = Pledge.objects.get(bloc=world.other_bloc)
    assert pledge.status == Pledge.Status.DRAFT
    assert pledge.history.first().history_user == world.users["admin"]
    assert [i.text for i in pledge.items.all()] == ["Đẩy mạnh phong trào thi đua"]
    criterion = pledge.criteria.get()
    assert criterion.history.first().history_user == world.users["admin"]


@pytest.mark.parametrize(
    ("extra", "message", "params"),
    [
        (
            {"classification_bands": '[{"name": "A", "min": 50}, {"name": "B", "min": 60}]'},
            services.BANDS_NOT_DESCENDING,
            {"name": "B", "min": "60", "previous": "A", "previous_min": "50"},
        ),
        (
            {"tie_break_order": '["luck"]'},
            services.TIE_BREAK_INVALID,
            {"value": "luck", "choices": ", ".join(Pledge.TieBreak.values)},
        ),
        (
            {"year": str(YEAR + 2)},
            services.YEAR_OUT_OF_RANGE,
            {"first": 2000, "last": YEAR + 1, "year": YEAR + 2},
        ),
    ],
)
def test_adding_a_pledge_with_bad_rules_shows_the_service_s_message(
    admin_client, world, settings, extra, message, params
):
    settings.PORTAL_FIRST_YEAR = 2000
    response = admin_client.post(reverse("admin:pledges_pledge_add"), _add_data(world, **extra))
    assert response.status_code == 200
    # Formatted here, in the page's language (not when the cases are collected).
    assert escape(str(message) % params) in response.content.decode()
    assert not Pledge.objects.filter(bloc=world.other_bloc).exists()


def test_a_second_pledge_for_the_year_is_refused(admin_client, world, pledge):
    data = _add_data(world, bloc=world.bloc.pk)
    response = admin_client.post(reverse("admin:pledges_pledge_add"), data)
    assert response.status_code == 200
    assert Pledge.objects.filter(bloc=world.bloc).count() == 1


def test_changing_rules_and_contents_goes_through_the_services(admin_client, world, pledge):
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = admin_client.get(url)
    data = _change_data(page)
    first = pledge.items.first()
    data["title"] = "Giao ước (sửa)"
    data["leading_units"] = "2"
    data[f"{_row(page, PledgeItem, pk=first.pk)}-text"] = "Nội dung đã sửa"
    data[f"{_row(page, Criterion, code='A1')}-max_points"] = "10"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    pledge.refresh_from_db()
    assert (pledge.title, pledge.leading_units) == ("Giao ước (sửa)", 2)
    first.refresh_from_db()
    assert first.text == "Nội dung đã sửa"
    assert first.history.first().history_user == world.users["admin"]
    a1 = Criterion.objects.get(pledge=pledge, code="A1")
    assert a1.max_points == 10
    assert a1.history.first().history_user == world.users["admin"]


def test_moving_points_between_siblings_in_one_save_works(admin_client, pledge):
    # A1 15 → 10 and A2 25 → 30: fine in the end, whatever the order of the writes
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = admin_client.get(url)
    data = _change_data(page)
    data[f"{_row(page, Criterion, code='A2')}-max_points"] = "30"
    data[f"{_row(page, Criterion, code='A1')}-max_points"] = "10"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    points = dict(Criterion.objects.filter(pledge=pledge).values_list("code", "max_points"))
    assert (points["A1"], points["A2"]) == (10, 30)


def test_children_over_their_parent_are_refused_on_the_page(admin_client, pledge):
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = admin_client.get(url)
    data = _change_data(page)
    data["title"] = "Không được lưu"
    data[f"{_row(page, Criterion, code='A1')}-max_points"] = "15.01"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    message = services.CHILDREN_OVER_PARENT % {"code": "A", "total": "40,01", "max": "40"}
    assert escape(str(message)) in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.title != "Không được lưu"
    assert Criterion.objects.get(pledge=pledge, code="A1").max_points == 15


def test_a_quota_needs_a_percentage_or_a_number(admin_client, pledge):
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    data = _change_data(admin_client.get(url))
    title = EmulationTitle.objects.get(code="co-td-cp")
    data.update({"quotas-TOTAL_FORMS": "1", "quotas-0-title": title.pk, "quotas-0-base": "leading"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert escape(str(services.QUOTA_EMPTY % {"title": title})) in response.content.decode()
    data["quotas-0-max_percent"] = "20"
    assert admin_client.post(url, data).status_code == 302
    quota = pledge.quotas.get()
    assert (quota.title, quota.max_percent, quota.base) == (title, 20, "leading")


# ---------------------------------------------------------------------------
# Stages: signed criteria, closed pledges
# ---------------------------------------------------------------------------


def test_once_signed_contents_and_criteria_are_read_only(admin_client, pledge):
    _set_status(pledge, Pledge.Status.SIGNED)
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = admin_client.get(url)
    html = page.content.decode()
    assert f'name="{_row(page, Criterion, code="A1")}-max_points"' not in html
    assert f'name="{_formset(page, PledgeItem).forms[0].prefix}-text"' not in html
    # the rules themselves can still be saved (e.g. the review meeting)
    data = _change_data(page)
    data["title"] = "Giao ước đã ký"
    data[f"{_row(page, Criterion, code='A1')}-max_points"] = "1"  # forged: ignored
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    pledge.refresh_from_db()
    assert pledge.title == "Giao ước đã ký"
    assert Criterion.objects.get(pledge=pledge, code="A1").max_points == 15


def test_a_closed_pledge_is_read_only(admin_client, pledge):
    _set_status(pledge, Pledge.Status.CLOSED)
    url = reverse("admin:pledges_pledge_change", args=[pledge.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    assert admin_client.post(url, {"title": "x"}).status_code == 403
    delete = reverse("admin:pledges_pledge_delete", args=[pledge.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    # nor through the bulk delete action
    admin_client.post(
        reverse("admin:pledges_pledge_changelist"),
        {"action": "delete_selected", "_selected_action": [pledge.pk], "post": "yes"},
    )
    pledge.refresh_from_db()
    assert pledge.title != "x"


# ---------------------------------------------------------------------------
# Status action
# ---------------------------------------------------------------------------


def test_advance_status_moves_one_step_and_reports_refusals(admin_client, pledge, world):
    bare = PledgeFactory(bloc=world.other_bloc, year=YEAR)
    response = admin_client.post(
        reverse("admin:pledges_pledge_changelist"),
        {"action": "advance_status", "_selected_action": [pledge.pk, bare.pk]},
    )
    assert response.status_code == 302
    pledge.refresh_from_db()
    bare.refresh_from_db()
    assert pledge.status == Pledge.Status.OPEN
    assert pledge.history.first().history_user == world.users["admin"]
    assert bare.status == Pledge.Status.DRAFT
    texts = _messages(response)
    assert any(str(bare) in t and str(services.OPEN_NEEDS_ITEMS) in t for t in texts)
    assert any(str(pledge) in t and "Open for signing" in t for t in texts)


def test_emulation_titles_are_fully_editable(admin_client):
    title = EmulationTitleFactory(code="bk-test", name="Bằng khen thử")
    url = reverse("admin:pledges_emulationtitle_change", args=[title.pk])
    data = _change_data(admin_client.get(url))
    data.update({"name": "Bằng khen đã sửa", "level": "district"})
    data.pop("is_active")
    assert admin_client.post(url, data).status_code == 302
    title.refresh_from_db()
    assert (title.name, title.level, title.is_active) == ("Bằng khen đã sửa", "district", False)


def test_the_admin_warns_of_a_deadline_set_in_the_past(admin_client, world):
    data = _add_data(world, scoring_deadline=f"30/11/{YEAR}")
    moment = datetime.datetime(YEAR, 12, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(moment, tick=False):
        response = admin_client.post(reverse("admin:pledges_pledge_add"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert Pledge.objects.get(bloc=world.other_bloc).scoring_deadline == datetime.date(YEAR, 11, 30)
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level == messages.WARNING]
    assert len(warnings) == 1, warnings
    assert f"30/11/{YEAR}" in warnings[0] and f"01/12/{YEAR}" in warnings[0]
