"""Scoring pages: the self-scoring grid (draft, stale versions, evidence, submission),
verification, cross-scoring and bonus/penalty lines, with their refusals. Who may open
which URL is `tests/test_access_matrix.py`."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pledges import services
from pledges.models import Adjustment, Evidence, Pledge, Score, ScoreSheet
from tests.blocs.test_views import _assert_constant
from tests.factories import CriterionFactory, MembershipFactory, OrganizationFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def scoring(pledge) -> Pledge:
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.SCORING)
    pledge.refresh_from_db()
    return pledge


def leaves(pledge) -> dict:
    return {c.code: c for c in pledge.criteria.filter(children__isnull=True)}


def url(name, *args, query=""):
    return reverse(f"pledges:{name}", args=args) + query


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def grid(pledge, values: dict, versions: dict | None = None, **extra) -> dict:
    """POST data for the sheet grid: {code: points or (points, bonus)}."""
    data = {"action": "save", **extra}
    versions = versions or {}
    for code, criterion in leaves(pledge).items():
        value = values.get(code, "")
        points, bonus = value if isinstance(value, tuple) else (value, "")
        data[f"c{criterion.pk}-points"] = points
        data[f"c{criterion.pk}-bonus"] = bonus
        data[f"c{criterion.pk}-explanation"] = ""
        data[f"c{criterion.pk}-version"] = versions.get(code, 0)
    return data


def sheet_of(pledge, org, round=ScoreSheet.Round.SELF, scorer=None):
    return ScoreSheet.objects.filter(
        pledge=pledge, organization=org, round=round, scorer=scorer
    ).first()


def points_of(pledge, org, round=ScoreSheet.Round.SELF) -> dict:
    return {
        s.criterion.code: s.points
        for s in Score.objects.filter(
            sheet__pledge=pledge, sheet__organization=org, sheet__round=round
        ).select_related("criterion")
    }


def fill_and_submit(pledge, org, values=None, user=None):
    """A submitted self sheet through the services (with the required evidence)."""
    values = values or {"A1": 10, "A2": 20, "B1": 50}
    sheet = services.sheet_for(pledge=pledge, organization=org, round=ScoreSheet.Round.SELF)
    crit = leaves(pledge)
    services.sheet_save_grid(
        sheet=sheet,
        rows=[{"criterion": crit[c], "points": p, "version": 0} for c, p in values.items()],
        actor=user,
    )
    a2 = Score.objects.get(sheet=sheet, criterion=crit["A2"])
    services.evidence_add(score=a2, uploaded=SimpleUploadedFile("a2.pdf", PDF))
    return services.sheet_submit(sheet=sheet, actor=user)


# Self-scoring ------------------------------------------------------------------------


def test_member_sees_the_grid_grouped_by_criteria_group(world, scoring, client_for):
    response = client_for("member").get(url("self_score", scoring.pk))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Tiêu chí chung", "Tiêu chí chuyên môn", "A1", "A2", "B1", "Save draft"):
        assert text in content
    assert response.context["organization"] == world.orgs[2]
    codes = [row.criterion.code for row in response.context["rows"]]
    assert codes == ["A", "A1", "A2", "B", "B1"]


def test_member_saves_a_draft_with_comma_decimals(world, scoring, client_for):
    client = client_for("member")
    response = client.post(url("self_score", scoring.pk), grid(scoring, {"A1": "12,5"}))
    assert response.status_code == 302
    assert points_of(scoring, world.orgs[2]) == {"A1": Decimal("12.50")}
    sheet = sheet_of(scoring, world.orgs[2])
    assert sheet.status == ScoreSheet.Status.DRAFT
    page = client.get(url("self_score", scoring.pk))
    # Comma decimals on every page (the English formats reuse the Vietnamese numbers).
    assert 'value="12,50"' in page.content.decode()
    assert "The scores are saved as a draft." in messages_of(page)


def test_points_over_the_max_are_a_field_error_with_the_number(world, scoring, client_for):
    response = client_for("member").post(
        url("self_score", scoring.pk), grid(scoring, {"A1": "16", "B1": "30"})
    )
    assert response.status_code == 200
    assert "At most 15 points for A1." in response.content.decode()
    assert points_of(scoring, world.orgs[2]) == {}  # nothing saved, not even B1
    assert 'value="16"' in response.content.decode()  # the typed value stays


def test_bonus_over_the_criterion_cap_is_refused(world, scoring, client_for):
    response = client_for("member").post(
        url("self_score", scoring.pk), grid(scoring, {"B1": ("50", "6")})
    )
    assert "At most 5 bonus points for B1." in response.content.decode()
    assert points_of(scoring, world.orgs[2]) == {}


def test_a_stale_version_keeps_the_typed_values_and_shows_the_new_one(world, scoring, client_for):
    client = client_for("member")
    client.post(url("self_score", scoring.pk), grid(scoring, {"A1": "10"}))
    # Someone else saves A1 meanwhile (version 1 -> 2).
    sheet = sheet_of(scoring, world.orgs[2])
    services.score_save(
        sheet=sheet, criterion=leaves(scoring)["A1"], points=11, version=1, actor=None
    )
    stale = grid(scoring, {"A1": "13", "B1": "40"}, versions={"A1": 1})
    response = client.post(url("self_score", scoring.pk), stale)
    assert response.status_code == 200
    content = response.content.decode()
    # One message for the lost race, in the row and in the summary at the top: no "reload"
    # contradicting "save again".
    assert "Someone else changed this score meanwhile: 11 saved by" in content
    assert "Reload and try again" not in content
    summary = content[content.index('id="error-summary"') : content.index('id="score-form"')]
    assert f'href="#id_c{leaves(scoring)["A1"].pk}-points"' in summary
    assert 'value="13"' in content and 'value="40"' in content
    assert points_of(scoring, world.orgs[2]) == {"A1": Decimal("11.00")}  # nothing written
    a1 = leaves(scoring)["A1"]
    row = next(r for r in response.context["rows"] if r.criterion == a1)
    assert row.form.data[f"c{a1.pk}-version"] == "2"  # the next save replaces it
    assert row.current.points == Decimal("11.00")
    # Saving again with the version now shown replaces it.
    again = grid(scoring, {"A1": "13", "B1": "40"}, versions={"A1": 2})
    assert client.post(url("self_score", scoring.pk), again).status_code == 302
    assert points_of(scoring, world.orgs[2]) == {"A1": Decimal("13.00"), "B1": Decimal("40.00")}


def test_evidence_upload_download_and_delete(world, scoring, client_for, media):
    client = client_for("member")
    a2 = leaves(scoring)["A2"]
    data = grid(scoring, {"A2": "20"})
    data[f"c{a2.pk}-file"] = SimpleUploadedFile("bien-ban.pdf", PDF)
    assert client.post(url("self_score", scoring.pk), data).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "bien-ban.pdf"
    assert evidence.content_type == "application/pdf"

    download = client.get(url("evidence_download", evidence.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF

    confirm = client.get(url("evidence_delete", evidence.pk))
    assert confirm.status_code == 200 and "bien-ban.pdf" in confirm.content.decode()
    assert Evidence.objects.exists()  # a GET deletes nothing
    response = client.post(url("evidence_delete", evidence.pk))
    assert response.status_code == 302
    assert not Evidence.objects.exists()


def test_disguised_evidence_is_refused_with_the_message(world, scoring, client_for):
    client = client_for("member")
    a2 = leaves(scoring)["A2"]
    data = grid(scoring, {"A2": "20"})
    data[f"c{a2.pk}-file"] = SimpleUploadedFile("bao-cao.pdf", HTML)
    response = client.post(url("self_score", scoring.pk), data, follow=True)
    text = " ".join(messages_of(response))
    assert "does not match its name “bao-cao.pdf”" in text
    assert not Evidence.objects.exists()


def test_evidence_needs_points_first(world, scoring, client_for):
    a2 = leaves(scoring)["A2"]
    data = grid(scoring, {})
    data[f"c{a2.pk}-file"] = SimpleUploadedFile("a.pdf", PDF)
    response = client_for("member").post(url("self_score", scoring.pk), data, follow=True)
    assert "A2: enter its points before attaching evidence" in " ".join(messages_of(response))
    assert not Evidence.objects.exists()


def test_submit_asks_for_confirmation_then_makes_the_sheet_read_only(world, scoring, client_for):
    client = client_for("member")
    a2 = leaves(scoring)["A2"]
    data = grid(scoring, {"A1": "10", "A2": "20", "B1": "50"}, action="submit")
    data[f"c{a2.pk}-file"] = SimpleUploadedFile("a2.png", _png())
    response = client.post(url("self_score", scoring.pk), data)
    assert response.status_code == 302 and response.url.endswith("?confirm=1")
    confirm = client.get(response.url)
    assert "3 of 3 criteria scored: 80 points" in confirm.content.decode()
    assert sheet_of(scoring, world.orgs[2]).status == ScoreSheet.Status.DRAFT
    done = client.post(url("self_score", scoring.pk), {"action": "confirm_submit"}, follow=True)
    sheet = sheet_of(scoring, world.orgs[2])
    assert sheet.is_submitted
    content = done.content.decode()
    assert "Submitted on" in content
    assert 'id="save-draft"' not in content and f'name="c{a2.pk}-points"' not in content
    # A post to the submitted sheet changes nothing.
    later = client.post(url("self_score", scoring.pk), grid(scoring, {"A1": "1"}), follow=True)
    assert "This sheet cannot be changed." in messages_of(later)
    assert points_of(scoring, world.orgs[2])["A1"] == Decimal("10.00")


def test_the_secretariat_sends_a_submitted_sheet_back_with_a_reason(world, scoring, client_for):
    member_org = world.orgs[2]
    fill_and_submit(scoring, member_org)
    sheet_page = url("self_score", scoring.pk, query=f"?org={member_org.pk}")
    back = url("self_score_return", scoring.pk, member_org.pk)
    member = client_for("member")  # one test client: logging in as another role switches it
    assert back not in member.get(url("self_score", scoring.pk)).content.decode()
    assert member.post(back, {"reason": "x"}).status_code == 403
    secretariat = client_for("secretariat")
    assert back in secretariat.get(sheet_page).content.decode()

    confirm = secretariat.get(back)
    assert confirm.status_code == 200 and 'id="confirm"' in confirm.content.decode()
    empty = secretariat.post(back, {"reason": " "})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    assert sheet_of(scoring, member_org).is_submitted

    done = secretariat.post(back, {"reason": "Thiếu minh chứng cho A1"}, follow=True)
    assert done.redirect_chain[-1][0] == sheet_page
    assert f"The self-scoring of {member_org} is back with it as a draft." in messages_of(done)
    assert not sheet_of(scoring, member_org).is_submitted
    # Sending back a sheet that is no longer submitted: the reason, nothing changes.
    again = secretariat.post(back, {"reason": "lần nữa"})
    assert "there is nothing to send back" in again.content.decode()
    opened = secretariat.get(back, follow=True)  # a stale link: back to the sheet, told why
    assert opened.redirect_chain[-1][0] == sheet_page
    assert any("there is nothing to send back" in m for m in messages_of(opened))
    # The member reads why, and can save and submit again.
    page = client_for("member").get(url("self_score", scoring.pk)).content.decode()
    assert 'id="sheet-returned"' in page and "Thiếu minh chứng cho A1" in page
    assert 'id="save-draft"' in page


def test_submit_without_required_evidence_is_refused(world, scoring, client_for):
    client = client_for("member")
    client.post(url("self_score", scoring.pk), grid(scoring, {"A1": "1", "A2": "2", "B1": "3"}))
    response = client.post(url("self_score", scoring.pk), {"action": "confirm_submit"}, follow=True)
    assert "Evidence is required for A2" in " ".join(messages_of(response))
    assert not sheet_of(scoring, world.orgs[2]).is_submitted


def test_a_member_cannot_read_another_members_draft(world, scoring, client_for):
    other = world.orgs[1]
    sheet = services.sheet_for(pledge=scoring, organization=other, round=ScoreSheet.Round.SELF)
    services.score_save(sheet=sheet, criterion=leaves(scoring)["A1"], points=5, version=0)
    client = client_for("member")
    assert client.get(url("self_score", scoring.pk, query=f"?org={other.pk}")).status_code == 403
    evidence_score = Score.objects.get(sheet=sheet)
    ev = services.evidence_add(score=evidence_score, uploaded=SimpleUploadedFile("x.pdf", PDF))
    assert client.get(url("evidence_download", ev.pk)).status_code == 403
    assert client.get(url("evidence_delete", ev.pk)).status_code == 403


def test_a_submitted_sheet_is_readable_by_other_members_read_only(world, scoring, client_for):
    other = world.orgs[1]
    fill_and_submit(scoring, other)
    client = client_for("member")
    response = client.get(url("self_score", scoring.pk, query=f"?org={other.pk}"))
    assert response.status_code == 200
    assert 'id="save-draft"' not in response.content.decode()
    post = client.post(url("self_score", scoring.pk, query=f"?org={other.pk}"), grid(scoring, {}))
    assert post.status_code == 403


def test_the_secretariat_writes_a_members_sheet_with_org(world, scoring, client_for):
    client = client_for("secretariat")
    member = world.orgs[3]
    target = url("self_score", scoring.pk, query=f"?org={member.pk}")
    assert client.get(target).context["organization"] == member
    assert client.post(target, grid(scoring, {"B1": "33"})).status_code == 302
    assert points_of(scoring, member) == {"B1": Decimal("33.00")}


def test_an_outsider_org_param_is_404(world, scoring, client_for):
    client = client_for("secretariat")
    target = url("self_score", scoring.pk, query=f"?org={world.outsider_org.pk}")
    assert client.get(target).status_code == 404


def test_the_admin_without_an_organization_chooses_a_member(world, scoring, client_for):
    response = client_for("admin").get(url("self_score", scoring.pk))
    assert response.status_code == 200
    assert response.templates[0].name == "pledges/score_choose.html"
    assert world.orgs[3].name in response.content.decode()


def test_a_closed_year_shows_a_notice_and_refuses_posts(world, scoring, client_for):
    client = client_for("member")
    client.post(url("self_score", scoring.pk), grid(scoring, {"A1": "10"}))
    Pledge.objects.filter(pk=scoring.pk).update(status=Pledge.Status.CLOSED)
    page = client.get(url("self_score", scoring.pk))
    closed = f"The {scoring.year} pledge is closed"
    assert closed in page.content.decode()
    assert 'id="save-draft"' not in page.content.decode()
    response = client.post(url("self_score", scoring.pk), grid(scoring, {"A1": "1"}), follow=True)
    assert any(closed in m for m in messages_of(response))
    assert points_of(scoring, world.orgs[2]) == {"A1": Decimal("10.00")}


def test_before_scoring_the_sheet_is_read_only(world, pledge, client_for):
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.OPEN)  # members read it
    response = client_for("member").get(url("self_score", pledge.pk))
    assert "Scores can be entered only while the pledge is in scoring" in (
        response.content.decode()
    )


def test_self_score_queries_do_not_grow_with_criteria(
    world, scoring, client_for, django_assert_num_queries
):
    client = client_for("member")
    fill = {"A1": "10", "A2": "20", "B1": "50"}
    client.post(url("self_score", scoring.pk), grid(scoring, fill))

    def grow():
        for i in range(9):
            group = CriterionFactory(pledge=scoring, code=f"G{i}", max_points=10, order=10 + i)
            CriterionFactory(pledge=scoring, parent=group, code=f"G{i}.1", max_points=10)

    _assert_constant(client, url("self_score", scoring.pk), grow, django_assert_num_queries)


# Verification ------------------------------------------------------------------------


def verify_data(pledge, values: dict, member, reason="", versions=None) -> dict:
    data = {"member": member.pk, "reason": reason}
    versions = versions or {}
    for code, criterion in leaves(pledge).items():
        data[f"c{criterion.pk}-points"] = values.get(code, "")
        data[f"c{criterion.pk}-version"] = versions.get(code, 0)
    return data


def test_verify_shows_the_grid_with_self_scores_and_totals(world, scoring, client_for):
    fill_and_submit(scoring, world.orgs[2])
    response = client_for("secretariat").get(url("verify", scoring.pk))
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.organization == world.orgs[2])
    assert row.submitted and row.self_total == Decimal("80")
    assert row.verified_total == Decimal("80")  # prefilled with the self-scores
    others = [r for r in response.context["rows"] if r.organization != world.orgs[2]]
    assert not any(r.submitted for r in others)


def test_verify_change_needs_a_reason(world, scoring, client_for):
    member = world.orgs[2]
    fill_and_submit(scoring, member)
    client = client_for("secretariat")
    data = verify_data(scoring, {"A1": "8", "A2": "20", "B1": "50"}, member)
    response = client.post(url("verify", scoring.pk), data)
    assert response.status_code == 200
    assert "give the reason for changing the submitted value" in response.content.decode()
    assert points_of(scoring, member, ScoreSheet.Round.VERIFIED) == {}
    data["reason"] = "Thiếu minh chứng cho 2 điểm"
    response = client.post(url("verify", scoring.pk), data)
    assert response.status_code == 302
    assert points_of(scoring, member, ScoreSheet.Round.VERIFIED)["A1"] == Decimal("8.00")
    a1 = Score.objects.get(sheet__round="verified", criterion__code="A1")
    assert a1.history.first().history_change_reason == "Thiếu minh chứng cho 2 điểm"


def test_verify_refuses_points_over_max_and_unsubmitted_members(world, scoring, client_for):
    member = world.orgs[2]
    fill_and_submit(scoring, member)
    client = client_for("secretariat")
    over = verify_data(scoring, {"A1": "99"}, member, reason="x")
    response = client.post(url("verify", scoring.pk), over)
    assert "At most 15 points for A1." in response.content.decode()
    draft = verify_data(scoring, {"A1": "1"}, world.orgs[3], reason="x")
    response = client.post(url("verify", scoring.pk), draft)
    assert "has not submitted its self-scores yet" in response.content.decode()
    assert not ScoreSheet.objects.filter(round="verified").exists()


def test_verify_cells_render_the_values_inputs_and_errors(world, scoring, client_for):
    member = world.orgs[2]
    fill_and_submit(scoring, member, {"A1": 12, "A2": 20, "B1": 50})
    crit = leaves(scoring)
    a1, b1 = crit["A1"].pk, crit["B1"].pk
    client = client_for("secretariat")
    content = client.get(url("verify", scoring.pk)).content.decode()
    form = f'form="v{member.pk}"'
    # the submitted member's row is editable, prefilled with its own values
    assert f'<input type="hidden" {form} name="c{a1}-version" value="0">' in content
    assert f'{form} name="c{a1}-points" value="12" inputmode="decimal"' in content
    assert 'aria-label="LĐLĐ A1"' in content
    assert f'{form} name="c{b1}-bonus" value="0"' in content  # B1 has a bonus cap
    assert f'name="c{a1}-bonus"' not in content
    assert '<span class="self-value">12</span>' in content
    # the others have not submitted: no inputs for them
    assert f'form="v{world.orgs[3].pk}" name=' not in content
    over = verify_data(scoring, {"A1": "99<b>"}, member, reason="x")
    content = client.post(url("verify", scoring.pk), over).content.decode()
    assert f'{form} name="c{a1}-points" value="99&lt;b&gt;"' in content  # typed, escaped
    assert f'<td class="cell-error" id="cell-v{member.pk}-A1">' in content


def test_verify_is_for_the_secretariat(world, scoring, client_for):
    assert client_for("member").get(url("verify", scoring.pk)).status_code == 403


def test_verify_grid_queries_do_not_grow(world, scoring, client_for, django_assert_num_queries):
    fill_and_submit(scoring, world.orgs[2])
    client = client_for("secretariat")

    def grow():
        for i in range(9):
            org = OrganizationFactory()
            MembershipFactory(bloc=world.bloc, organization=org, first_year=scoring.year - 1)
            group = CriterionFactory(pledge=scoring, code=f"G{i}", max_points=10, order=10 + i)
            CriterionFactory(pledge=scoring, parent=group, code=f"G{i}.1", max_points=10)

    _assert_constant(client, url("verify", scoring.pk), grow, django_assert_num_queries)


# Cross-scoring -----------------------------------------------------------------------


@pytest.fixture
def cross(scoring) -> Pledge:
    Pledge.objects.filter(pk=scoring.pk).update(scoring_method=Pledge.ScoringMethod.CROSS_AVERAGE)
    scoring.refresh_from_db()
    return scoring


def test_cross_score_my_org_scores_another_member(world, cross, client_for):
    client = client_for("member")
    scored = world.orgs[0]
    target = url("cross_score", cross.pk, scored.pk)
    response = client.get(target)
    assert response.status_code == 200
    assert "Evidence" not in response.content.decode()
    assert client.post(target, grid(cross, {"A1": "7"})).status_code == 302
    sheet = sheet_of(cross, scored, ScoreSheet.Round.CROSS, scorer=world.orgs[2])
    assert sheet.scores.get().points == Decimal("7.00")


def test_cross_score_shows_the_members_own_score_and_evidence_once_submitted(
    world, cross, client_for
):
    scored = world.orgs[0]
    client = client_for("member")
    target = url("cross_score", cross.pk, scored.pk)
    sheet = services.sheet_for(pledge=cross, organization=scored, round=ScoreSheet.Round.SELF)
    a1 = leaves(cross)["A1"]
    services.sheet_save_grid(
        sheet=sheet,
        rows=[{"criterion": a1, "points": 14, "explanation": "bản nháp riêng", "version": 0}],
    )
    # A draft is the member's own business: not shown to those who score it.
    response = client.get(target)
    content = response.content.decode()
    assert 'id="own-missing"' in content and "bản nháp riêng" not in content
    assert response.context["own_sheet"] is None
    assert [row.own for row in response.context["rows"]] == [None] * 5

    Score.objects.filter(sheet=sheet).delete()
    fill_and_submit(cross, scored, {"A1": 9, "A2": 20, "B1": 50})
    response = client.get(target)
    content = response.content.decode()
    assert 'id="own-missing"' not in content
    own = {row.criterion.code: row.own.points for row in response.context["rows"] if row.own}
    assert own == {"A1": Decimal("9"), "A2": Decimal("20"), "B1": Decimal("50")}
    [evidence] = Evidence.objects.filter(score__sheet__organization=scored)
    assert evidence.get_absolute_url() in content and "a2.pdf" in content
    download = client.get(evidence.get_absolute_url())  # the scorer may open it
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_cross_score_queries_do_not_grow(world, cross, client_for, django_assert_num_queries):
    scored = world.orgs[0]
    fill_and_submit(cross, scored)
    client = client_for("member")

    def grow():
        sheet = ScoreSheet.objects.get(pledge=cross, organization=scored, round="self")
        for i in range(9):
            group = CriterionFactory(pledge=cross, code=f"G{i}", max_points=10, order=10 + i)
            leaf = CriterionFactory(pledge=cross, parent=group, code=f"G{i}.1", max_points=10)
            score = Score.objects.create(sheet=sheet, criterion=leaf, points=5)
            Evidence.objects.create(
                score=score, file=f"e{i}.pdf", original_name=f"e{i}.pdf", size=1, content_type="x"
            )

    target = url("cross_score", cross.pk, scored.pk)
    _assert_constant(client, target, grow, django_assert_num_queries)


def test_cross_score_of_oneself_is_refused(world, cross, client_for):
    response = client_for("member").get(url("cross_score", cross.pk, world.orgs[2].pk))
    assert response.status_code == 403


def test_cross_score_is_404_in_a_self_verified_year(world, scoring, client_for):
    response = client_for("member").get(url("cross_score", scoring.pk, world.orgs[0].pk))
    assert response.status_code == 404


def test_verify_in_a_cross_year_lists_my_sheets_and_the_matrix(world, cross, client_for):
    member_page = client_for("member").get(url("verify", cross.pk))
    assert member_page.status_code == 200
    assert member_page.context["matrix"] is None
    assert len(member_page.context["mine"]) == 3
    link = url("cross_score", cross.pk, world.orgs[0].pk)
    assert link in member_page.content.decode()
    secretariat_page = client_for("secretariat").get(url("verify", cross.pk))
    assert len(secretariat_page.context["matrix"]) == 4


# Bonus and penalty lines -------------------------------------------------------------


def test_adjustments_add_list_and_delete_with_confirmation(world, scoring, client_for):
    client = client_for("secretariat")
    data = {
        "organization": world.orgs[2].pk,
        "kind": "penalty",
        "points": "0,5",
        "reason": "Nộp báo cáo chậm",
    }
    assert client.post(url("adjustments", scoring.pk), data).status_code == 302
    line = Adjustment.objects.get()
    assert line.points == Decimal("0.50")
    page = client.get(url("adjustments", scoring.pk))
    assert "Nộp báo cáo chậm" in page.content.decode()
    assert "Bonus cap: 5 points per member" in page.content.decode()
    confirm = client.get(url("adjustments", scoring.pk, query=f"?delete={line.pk}"))
    assert confirm.status_code == 200 and "Nộp báo cáo chậm" in confirm.content.decode()
    assert Adjustment.objects.exists()
    response = client.post(url("adjustments", scoring.pk), {"delete": line.pk})
    assert response.status_code == 302
    assert not Adjustment.objects.exists()


def test_adjustment_over_the_bonus_cap_shows_the_numbers(world, scoring, client_for):
    client = client_for("secretariat")
    data = {"organization": world.orgs[2].pk, "kind": "bonus", "points": "6", "reason": "Giải"}
    response = client.post(url("adjustments", scoring.pk), data)
    assert response.status_code == 200
    assert "more than the bonus cap of 5" in response.content.decode()
    assert not Adjustment.objects.exists()


def test_members_read_adjustments_but_cannot_add(world, scoring, client_for):
    client = client_for("member")
    assert client.get(url("adjustments", scoring.pk)).status_code == 200
    data = {"organization": world.orgs[2].pk, "kind": "bonus", "points": "1", "reason": "x"}
    assert client.post(url("adjustments", scoring.pk), data).status_code == 403


def test_adjustments_are_refused_in_a_closed_year(world, scoring, client_for):
    Pledge.objects.filter(pk=scoring.pk).update(status=Pledge.Status.CLOSED)
    client = client_for("secretariat")
    data = {"organization": world.orgs[2].pk, "kind": "bonus", "points": "1", "reason": "x"}
    response = client.post(url("adjustments", scoring.pk), data, follow=True)
    assert any("is closed" in m for m in messages_of(response))
    assert not Adjustment.objects.exists()


def _png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )


def test_verify_a_lost_race_names_the_cell_once_and_saving_again_replaces_it(
    world, scoring, client_for
):
    member = world.orgs[2]
    fill_and_submit(scoring, member, {"A1": 12, "A2": 20, "B1": 50})
    client = client_for("secretariat")
    a1 = leaves(scoring)["A1"]
    first = verify_data(scoring, {"A1": "12", "A2": "20", "B1": "50"}, member)
    assert client.post(url("verify", scoring.pk), first, follow=True).status_code == 200
    # Another secretariat official saves A1 meanwhile (version 1 -> 2).
    sheet = ScoreSheet.objects.get(pledge=scoring, organization=member, round="verified")
    services.score_save(sheet=sheet, criterion=a1, points=11, version=1, reason="x")
    stale = verify_data(
        scoring,
        {"A1": "10", "A2": "20", "B1": "50"},
        member,
        reason="Thiếu minh chứng",
        versions={"A1": 1, "A2": 1, "B1": 1},
    )
    response = client.post(url("verify", scoring.pk), stale, follow=False)
    assert response.status_code == 200
    content = response.content.decode()
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [f"Nothing was saved for {member.name}: see the marked cells (A1)."]
    assert "Reload and try again" not in content  # one message, no contradiction
    cell = content[content.index(f'id="cell-v{member.pk}-A1"') :]
    cell = cell[: cell.index("</td>")]
    assert "Changed meanwhile: now 11" in cell
    assert 'value="10"' in cell and "data-portal-focus" in cell  # typed value, scrolled to
    assert f'name="c{a1.pk}-version" value="2"' in cell  # the stored version now
    assert points_of(scoring, member, ScoreSheet.Round.VERIFIED)["A1"] == Decimal("11.00")
    stale[f"c{a1.pk}-version"] = 2
    assert client.post(url("verify", scoring.pk), stale).status_code == 302
    assert points_of(scoring, member, ScoreSheet.Round.VERIFIED)["A1"] == Decimal("10.00")


# Deadlines up front --------------------------------------------------------------------


def test_the_grid_and_the_dashboard_count_the_days_left(world, scoring, client_for):
    today = timezone.localdate()
    Pledge.objects.filter(pk=scoring.pk).update(scoring_deadline=today + dt.timedelta(days=5))
    client = client_for("member")
    page = client.get(url("self_score", scoring.pk)).content.decode()
    banner = page[page.index('id="deadline-banner"') : page.index('id="score-form"')]
    day = (today + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    assert f"Self-scoring deadline: {day}" in banner and "5 days left." in banner
    home = client.get(reverse("home")).content.decode()
    assert f"Deadline: {day}. 5 days left." in " ".join(home.split())


def test_a_grid_past_its_deadline_says_so_at_the_top(world, scoring, client_for):
    today = timezone.localdate()
    Pledge.objects.filter(pk=scoring.pk).update(scoring_deadline=today - dt.timedelta(days=2))
    page = client_for("member").get(url("self_score", scoring.pk)).content.decode()
    top = page[: page.index('id="score-form"')]
    assert "The deadline passed 2 days ago: the sheet can no longer be submitted." in top
    assert 'class="alert alert-danger d-flex' in top


def test_a_file_chosen_on_a_refused_grid_must_be_chosen_again(world, scoring, client_for):
    a2 = leaves(scoring)["A2"]
    data = grid(scoring, {"A1": "16", "A2": "5"})  # A1 is over its maximum
    data[f"c{a2.pk}-file"] = SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")
    response = client_for("member").post(url("self_score", scoring.pk), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "“bien-ban.pdf” was not uploaded: choose it again." in content
    assert not Evidence.objects.exists()
