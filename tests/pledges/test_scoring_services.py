"""Scoring services: limits, sheet states, reasons, optimistic concurrency, submission,
evidence and bonus/penalty lines. Nothing is written when a check fails."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from pledges import services
from pledges.models import Adjustment, Criterion, Evidence, Pledge, Score, ScoreSheet
from tests.factories import OfficialFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted in their English msgids, whatever the .po says later.
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def scoring(pledge):
    Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.SCORING)
    pledge.refresh_from_db()
    return pledge


@pytest.fixture
def crit(pledge):
    return {c.code: c for c in Criterion.objects.filter(pledge=pledge)}


@pytest.fixture
def own(scoring, world):
    """The self-scoring sheet of the member organization (orgs[2])."""
    return services.sheet_for(pledge=scoring, organization=world.orgs[2], round="self")


def messages(exc) -> str:
    return " ".join(exc.value.messages)


def fill(sheet, crit, actor=None, **values):
    for code, points in values.items():
        services.score_save(sheet=sheet, criterion=crit[code], points=points, actor=actor)


def submit_self(sheet, crit, media_dir=None):
    fill(sheet, crit, A1="10", A2="20", B1="50")
    services.evidence_add(
        score=Score.objects.get(sheet=sheet, criterion=crit["A2"]),
        uploaded=SimpleUploadedFile("minh-chung.pdf", PDF),
    )
    return services.sheet_submit(sheet=sheet)


# Sheets -----------------------------------------------------------------------------------


def test_sheet_for_gets_or_creates_a_draft(own, scoring, world):
    assert own.status == ScoreSheet.Status.DRAFT
    again = services.sheet_for(pledge=scoring, organization=world.orgs[2], round="self")
    assert again.pk == own.pk


@pytest.mark.parametrize(
    ("method", "round", "scorer", "error"),
    [
        ("self_verified", "cross", 0, "not used with this year's scoring method"),
        ("cross_average", "verified", None, "not used with this year's scoring method"),
        ("cross_trimmed", "cross", None, "needs the member that scores"),
        ("self_verified", "self", 0, "Only cross-scoring sheets have a scoring member"),
        ("cross_average", "cross", 2, "cannot cross-score itself"),
        ("cross_average", "cross", "outsider", "is not a member of"),
    ],
)
def test_sheet_for_checks_round_and_scorer(scoring, world, method, round, scorer, error):
    Pledge.objects.filter(pk=scoring.pk).update(scoring_method=method)
    scoring.refresh_from_db()
    scorer = world.outsider_org if scorer == "outsider" else scorer
    scorer = world.orgs[scorer] if isinstance(scorer, int) else scorer
    with pytest.raises(ValidationError) as exc:
        services.sheet_for(pledge=scoring, organization=world.orgs[2], round=round, scorer=scorer)
    assert error in messages(exc)
    assert not ScoreSheet.objects.exists()


def test_sheet_for_refuses_a_non_member(scoring, world):
    with pytest.raises(ValidationError) as exc:
        services.sheet_for(pledge=scoring, organization=world.outsider_org, round="self")
    assert "Sơn Tây" in messages(exc) and "is not a member of" in messages(exc)


# One score --------------------------------------------------------------------------------


def test_score_save_stores_decimals_and_counts_versions(own, crit, world):
    user = world.users["member"]
    score = services.score_save(
        sheet=own, criterion=crit["B1"], points="55.5", bonus="2.25", actor=user
    )
    assert (score.points, score.bonus, score.version) == (D("55.50"), D("2.25"), 1)
    score = services.score_save(
        sheet=own, criterion=crit["B1"], points=56, bonus=0, version=1, actor=user
    )
    assert (score.points, score.version, score.updated_by) == (D("56"), 2, user)
    assert score.history.first().history_user == user
    # an unchanged save writes nothing and keeps the version
    same = services.score_save(sheet=own, criterion=crit["B1"], points="56.00", version=2)
    assert same.version == 2 and score.history.count() == 2


@pytest.mark.parametrize(
    ("code", "points", "bonus", "error"),
    [
        ("A1", "15.01", 0, "A1: 15,01 points is more than its maximum of 15,00."),
        ("A1", "-1", 0, "A1: points cannot be negative (-1,00)."),
        ("B1", "60", "5.5", "B1: a bonus of 5,50 is more than its bonus cap of 5,00."),
        ("B1", "60", "-0.5", "B1: bonus points cannot be negative"),
        ("A1", "10", "1", "A1 has no bonus points; leave its bonus at 0"),
        ("A1", "abc", 0, "A1: “abc” is not a number."),
        ("A1", "NaN", 0, "is not a number"),
        ("A1", None, 0, "is not a number"),
        ("A1", "1.234", 0, "A1: use at most 2 decimals"),
        ("A", "10", 0, "A cannot take points: only the lowest-level criteria"),
    ],
)
def test_score_save_refuses_bad_values_and_writes_nothing(own, crit, code, points, bonus, error):
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=own, criterion=crit[code], points=points, bonus=bonus)
    assert error in messages(exc)
    assert not Score.objects.exists()


def test_score_save_accepts_the_edges(own, crit):
    services.score_save(sheet=own, criterion=crit["A1"], points="15")
    services.score_save(sheet=own, criterion=crit["B1"], points="0", bonus="5")
    services.score_save(sheet=own, criterion=crit["A2"], points="12,5")  # comma decimals
    assert sorted(Score.objects.values_list("points", flat=True)) == [D("0"), D("12.5"), D("15")]


def test_criterion_of_another_pledge_is_refused(own, world):
    from tests.factories import CriterionFactory, PledgeFactory

    other = CriterionFactory(pledge=PledgeFactory(bloc=world.other_bloc), code="X1")
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=own, criterion=other, points=1)
    assert "X1 cannot take points" in messages(exc)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("signed", "only while the pledge is in scoring; it is “Signed” now"),
        ("closed", "pledge is closed"),
    ],
)
def test_scores_only_while_scoring(own, crit, status, error):
    Pledge.objects.filter(pk=own.pledge_id).update(status=status)
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=own, criterion=crit["A1"], points=1)
    assert error in messages(exc)
    assert not Score.objects.exists()


def test_stale_version_is_refused_and_nothing_written(own, crit, world):
    # An official of the sheet's organization: the services ask the policy for the actor.
    alice = OfficialFactory(
        organization=world.orgs[2],
        user__username="alice",
        user__first_name="Lan",
        user__last_name="Nguyễn",
    ).user
    services.score_save(sheet=own, criterion=crit["A1"], points=5, actor=alice)  # version 1
    # Bob saw version 1 and saves first.
    services.score_save(sheet=own, criterion=crit["A1"], points=7, version=1, actor=alice)
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=own, criterion=crit["A1"], points=9, version=1)
    assert "Someone else changed this score meanwhile (now 7,00 by" in messages(exc)
    assert "Reload and try again." in messages(exc)
    score = Score.objects.get()
    assert (score.points, score.version) == (D("7"), 2)


def test_version_zero_means_the_cell_was_empty(own, crit):
    services.score_save(sheet=own, criterion=crit["A1"], points=5)
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=own, criterion=crit["A1"], points=6, version=0)
    assert "now 5,00 by someone" in messages(exc)


def test_submitted_self_sheet_is_read_only(own, crit, media):
    submit_self(own, crit)
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=own, criterion=crit["A1"], points=1, version=1)
    assert "This self-scoring sheet was submitted on" in messages(exc)
    assert Score.objects.get(criterion=crit["A1"]).points == D("10")


# Verification and cross-scoring reasons ---------------------------------------------------


def test_verification_that_differs_from_the_self_score_needs_a_reason(
    own, crit, scoring, world, media
):
    submit_self(own, crit)
    verify = services.sheet_for(pledge=scoring, organization=world.orgs[2], round="verified")
    # the same as the self-score: no reason needed
    services.score_save(sheet=verify, criterion=crit["A1"], points=10)
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=verify, criterion=crit["B1"], points=45)
    assert "B1: give the reason for changing the submitted value (50,00 → 45,00)." in messages(exc)
    assert not Score.objects.filter(sheet=verify, criterion=crit["B1"]).exists()
    secretary = world.users["secretariat"]
    score = services.score_save(
        sheet=verify,
        criterion=crit["B1"],
        points=45,
        reason="Chưa có minh chứng mô hình mới",
        actor=secretary,
    )
    record = score.history.first()
    assert record.history_change_reason == "Chưa có minh chứng mô hình mới"
    assert record.history_user == secretary
    # changing only the explanation of a justified verification needs no new reason
    services.score_save(
        sheet=verify, criterion=crit["B1"], points=45, explanation="Xem biên bản", version=1
    )


def test_editing_a_submitted_cross_sheet_needs_a_reason(scoring, world, crit):
    Pledge.objects.filter(pk=scoring.pk).update(scoring_method="cross_average")
    scoring.refresh_from_db()
    cross = services.sheet_for(
        pledge=scoring, organization=world.orgs[2], round="cross", scorer=world.orgs[3]
    )
    fill(cross, crit, A1="10", A2="20", B1="50")
    services.sheet_submit(sheet=cross)  # evidence is asked of self sheets only
    with pytest.raises(ValidationError) as exc:
        services.score_save(sheet=cross, criterion=crit["A1"], points=12, version=1)
    assert "A1: give the reason" in messages(exc)
    score = services.score_save(
        sheet=cross, criterion=crit["A1"], points=12, version=1, reason="Nhập nhầm"
    )
    assert score.history.first().history_change_reason == "Nhập nhầm"


# The grid: all or nothing -----------------------------------------------------------------


def test_grid_is_all_or_nothing_and_names_each_bad_row(own, crit):
    rows = [
        {"criterion": crit["A1"], "points": "16", "bonus": 0, "explanation": "", "version": 0},
        {"criterion": crit["A2"], "points": "20", "bonus": 0, "explanation": "", "version": 0},
        {"criterion": crit["B1"], "points": "50", "bonus": "9", "explanation": "", "version": 0},
    ]
    with pytest.raises(ValidationError) as exc:
        services.sheet_save_grid(sheet=own, rows=rows)
    errors = exc.value.message_dict
    assert set(errors) == {"A1", "B1"}
    assert "A1: 16,00 points is more than its maximum of 15,00." in errors["A1"]
    assert "bonus cap of 5,00" in errors["B1"][0]
    assert not Score.objects.exists()

    rows[0]["points"], rows[2]["bonus"] = "15", "4"
    rows.append({"criterion": crit["A"], "points": "", "version": None})  # empty: skipped
    services.sheet_save_grid(sheet=own, rows=rows, actor=None)
    assert Score.objects.count() == 3


def test_grid_refuses_one_stale_row_and_keeps_the_others(own, crit):
    services.score_save(sheet=own, criterion=crit["A1"], points=5)
    services.score_save(sheet=own, criterion=crit["A1"], points=6, version=1)
    rows = [
        {"criterion": crit["A1"], "points": "8", "version": 1},
        {"criterion": crit["A2"], "points": "20", "version": 0},
    ]
    with pytest.raises(ValidationError) as exc:
        services.sheet_save_grid(sheet=own, rows=rows)
    assert list(exc.value.message_dict) == ["A1"]
    assert list(Score.objects.values_list("points", flat=True)) == [D("6")]


# Submission -------------------------------------------------------------------------------


def test_submit_needs_every_criterion_scored(own, crit):
    fill(own, crit, A2="20")
    with pytest.raises(ValidationError) as exc:
        services.sheet_submit(sheet=own)
    assert "Not every criterion is scored yet: A1, B1." in messages(exc)
    own.refresh_from_db()
    assert own.status == ScoreSheet.Status.DRAFT


def test_submit_needs_evidence_where_required(own, crit):
    fill(own, crit, A1="10", A2="20", B1="50")
    with pytest.raises(ValidationError) as exc:
        services.sheet_submit(sheet=own)
    assert "Evidence is required for A2" in messages(exc)
    own.refresh_from_db()
    assert not own.is_submitted


def test_submit_after_the_deadline_is_refused(own, crit, scoring, media):
    Pledge.objects.filter(pk=scoring.pk).update(scoring_deadline=dt.date(2025, 12, 15))
    fill(own, crit, A1="10", A2="20", B1="50")
    services.evidence_add(
        score=Score.objects.get(sheet=own, criterion=crit["A2"]),
        uploaded=SimpleUploadedFile("mc.pdf", PDF),
    )
    with pytest.raises(ValidationError) as exc:
        services.sheet_submit(sheet=own, today=dt.date(2025, 12, 16))
    assert "The self-scoring deadline was 15/12/2025" in messages(exc)
    # the deadline day itself is still in time
    sheet = services.sheet_submit(sheet=own, today=dt.date(2025, 12, 15), actor=None)
    assert sheet.is_submitted and sheet.submitted_at is not None


def test_verification_submit_counts_the_self_scores(own, crit, scoring, world, media):
    verify = services.sheet_for(pledge=scoring, organization=world.orgs[2], round="verified")
    services.score_save(sheet=verify, criterion=crit["B1"], points=40)
    with pytest.raises(ValidationError) as exc:
        services.sheet_submit(sheet=verify)  # the self sheet is not submitted yet
    assert "Not every criterion is scored yet: A1, A2." in messages(exc)
    submit_self(own, crit)
    assert services.sheet_submit(sheet=verify).is_submitted


def test_submit_twice_is_refused(own, crit, media):
    submit_self(own, crit)
    with pytest.raises(ValidationError) as exc:
        services.sheet_submit(sheet=own)
    assert "already submitted" in messages(exc)


def test_a_returned_sheet_is_a_draft_again_with_its_scores_and_the_reason(own, crit, world, media):
    submit_self(own, crit)
    secretary = world.users["secretariat"]
    sheet = services.sheet_return(sheet=own, reason="  Bổ sung minh chứng A1  ", actor=secretary)
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheet.Status.DRAFT
    assert sheet.submitted_at is None and sheet.submitted_by is None
    assert sheet.return_reason == "Bổ sung minh chứng A1" and sheet.returned_at is not None
    last = sheet.history.first()
    assert (last.history_change_reason, last.history_user) == ("Bổ sung minh chứng A1", secretary)
    assert Score.objects.filter(sheet=sheet).count() == 3
    assert Evidence.objects.filter(score__sheet=sheet).count() == 1
    # The member corrects and submits again.
    services.score_save(sheet=sheet, criterion=crit["A1"], points="12", version=1)
    assert services.sheet_submit(sheet=sheet).is_submitted


def _refused_return(sheet, reason="Sửa lại", **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        services.sheet_return(sheet=sheet, reason=reason, **kwargs)
    return messages(exc)


def test_returning_is_refused_with_a_reason_and_changes_nothing(own, crit, scoring, world, media):
    name = world.orgs[2].name
    assert _refused_return(own) == (
        f"The self-scoring of {name} is not submitted: there is nothing to send back."
    )
    submit_self(own, crit)
    assert _refused_return(own, reason="  ") == (
        f"Say what {name} should correct: the member reads it."
    )
    Pledge.objects.filter(pk=scoring.pk).update(scoring_deadline=dt.date(2025, 12, 15))
    assert _refused_return(own, today=dt.date(2025, 12, 16)).startswith(
        f"The self-scoring deadline was 15/12/2025: {name} could not submit again."
    )
    Pledge.objects.filter(pk=scoring.pk).update(scoring_deadline=None)
    verify = services.sheet_for(pledge=scoring, organization=world.orgs[2], round="verified")
    services.sheet_submit(sheet=verify)
    assert _refused_return(own).startswith(f"The verification of {name} was submitted on ")
    Pledge.objects.filter(pk=scoring.pk).update(status="closed")
    assert "closed" in _refused_return(own)
    own.refresh_from_db()
    assert own.is_submitted and own.return_reason == "" and own.returned_at is None


def test_submit_on_a_closed_pledge_is_refused(own, crit):
    fill(own, crit, A1="10", A2="20", B1="50")
    Pledge.objects.filter(pk=own.pledge_id).update(status="closed")
    with pytest.raises(ValidationError) as exc:
        services.sheet_submit(sheet=own)
    assert "closed" in messages(exc)


# Evidence ---------------------------------------------------------------------------------


def test_evidence_is_checked_and_stored(own, crit, media, world):
    score = services.score_save(sheet=own, criterion=crit["A2"], points=20)
    evidence = services.evidence_add(
        score=score,
        uploaded=SimpleUploadedFile("Báo cáo.PDF", PDF),
        actor=world.users["member"],
    )
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == "Báo cáo.PDF" and evidence.size == len(PDF)
    assert evidence.file.name.startswith(f"evidence/{own.pledge_id}/{own.organization_id}/")
    assert (media / evidence.file.name).read_bytes() == PDF
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(score=score, uploaded=SimpleUploadedFile("virus.pdf", b"MZ" * 50))
    assert "not a real PDF file" in messages(exc)
    assert Evidence.objects.count() == 1


def test_evidence_of_a_submitted_sheet_only_by_the_secretariat(own, crit, media):
    submit_self(own, crit)
    score = Score.objects.get(sheet=own, criterion=crit["A2"])
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(score=score, uploaded=SimpleUploadedFile("b.pdf", PDF))
    assert "only the secretariat can change its evidence" in messages(exc)
    evidence = score.evidence.get()
    with pytest.raises(ValidationError):
        services.evidence_delete(evidence=evidence)
    services.evidence_add(
        score=score, uploaded=SimpleUploadedFile("b.pdf", PDF), as_secretariat=True
    )
    services.evidence_delete(evidence=evidence, as_secretariat=True)
    assert list(score.evidence.values_list("original_name", flat=True)) == ["b.pdf"]


def test_evidence_delete_removes_the_file_after_commit(
    own, crit, media, django_capture_on_commit_callbacks
):
    score = services.score_save(sheet=own, criterion=crit["A2"], points=20)
    evidence = services.evidence_add(score=score, uploaded=SimpleUploadedFile("a.pdf", PDF))
    path = media / evidence.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(evidence=evidence)
    assert not path.exists() and not Evidence.objects.exists()


# Bonus and penalty lines ------------------------------------------------------------------


def test_bonus_lines_respect_the_cap_with_criterion_bonuses(own, crit, scoring, world, media):
    org = world.orgs[2]
    services.score_save(sheet=own, criterion=crit["B1"], points=50, bonus=3)
    fill(own, crit, A1="10", A2="20")
    services.evidence_add(
        score=Score.objects.get(sheet=own, criterion=crit["A2"]),
        uploaded=SimpleUploadedFile("mc.pdf", PDF),
    )
    services.sheet_submit(sheet=own)
    line = services.adjustment_add(
        pledge=scoring,
        organization=org,
        kind="bonus",
        points="2",
        reason="Mô hình mới",
        actor=world.users["secretariat"],
    )
    assert line.history.first().history_user == world.users["secretariat"]
    with pytest.raises(ValidationError) as exc:
        services.adjustment_add(
            pledge=scoring, organization=org, kind="bonus", points="0.5", reason="Thêm"
        )
    assert (
        "Bonus points for Liên đoàn Lao động thành phố would come to 5,50 (now 5,00 + 0,50), "
        "more than the bonus cap of 5,00." in messages(exc)
    )
    assert Adjustment.objects.count() == 1


def test_penalty_lines_respect_the_cap(scoring, world):
    Pledge.objects.filter(pk=scoring.pk).update(penalty_cap=D("3"))
    scoring.refresh_from_db()
    org = world.orgs[1]
    for _ in range(2):
        services.adjustment_add(
            pledge=scoring, organization=org, kind="penalty", points="1.5", reason="Báo cáo chậm"
        )
    with pytest.raises(ValidationError) as exc:
        services.adjustment_add(
            pledge=scoring, organization=org, kind="penalty", points="0.01", reason="Vắng họp"
        )
    assert "would come to 3,01 (now 3,00 + 0,01), more than the penalty cap of 3,00" in (
        messages(exc)
    )
    # no penalty cap -> no limit on bonus either way; the other kind is not affected
    services.adjustment_add(
        pledge=scoring, organization=org, kind="bonus", points="5", reason="Đăng cai"
    )


@pytest.mark.parametrize(
    ("org", "kind", "points", "reason", "error"),
    [
        ("outsider", "bonus", "1", "x", "is not a member of"),
        (0, "bonus", "0", "x", "The points must be more than 0"),
        (0, "penalty", "-1", "x", "The points must be more than 0"),
        (0, "penalty", "1", "  ", "Give the reason"),
        (0, "bonus", "1.001", "x", "use at most 2 decimals"),
        (0, "gift", "1", "x", "Choose bonus or penalty"),
    ],
)
def test_adjustment_add_refuses_bad_input(scoring, world, org, kind, points, reason, error):
    org = world.outsider_org if org == "outsider" else world.orgs[org]
    with pytest.raises(ValidationError) as exc:
        services.adjustment_add(
            pledge=scoring, organization=org, kind=kind, points=points, reason=reason
        )
    assert error in messages(exc)
    assert not Adjustment.objects.exists()


def test_adjustments_refused_when_closed(scoring, world):
    line = services.adjustment_add(
        pledge=scoring, organization=world.orgs[0], kind="bonus", points="1", reason="x"
    )
    Pledge.objects.filter(pk=scoring.pk).update(status="closed")
    scoring.refresh_from_db()
    for call in (
        lambda: services.adjustment_add(
            pledge=scoring, organization=world.orgs[0], kind="bonus", points="1", reason="x"
        ),
        lambda: services.adjustment_delete(adjustment=line),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "closed" in messages(exc)
    assert Adjustment.objects.count() == 1


# The policy, asked by the services for the actor --------------------------------------------


def _grid(crit):
    return [{"criterion": crit["A1"], "points": "5"}]


def test_a_member_cannot_write_another_members_self_sheet(own, crit, world, media):
    other = OfficialFactory(organization=world.orgs[3]).user
    with pytest.raises(PermissionDenied):
        services.sheet_save_grid(sheet=own, rows=_grid(crit), actor=other)
    with pytest.raises(PermissionDenied):
        services.score_save(sheet=own, criterion=crit["A1"], points=5, actor=other)
    with pytest.raises(PermissionDenied):
        services.sheet_save_with_evidence(
            pledge=own.pledge,
            organization=own.organization,
            round="self",
            rows=_grid(crit),
            actor=other,
        )
    assert not Score.objects.exists()
    score = services.score_save(sheet=own, criterion=crit["A2"], points=20)
    with pytest.raises(PermissionDenied):
        services.evidence_add(score=score, uploaded=SimpleUploadedFile("a.pdf", PDF), actor=other)
    evidence = services.evidence_add(score=score, uploaded=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(PermissionDenied):
        services.evidence_delete(evidence=evidence, actor=other)
    fill(own, crit, A1="10", B1="50")
    with pytest.raises(PermissionDenied):
        services.sheet_submit(sheet=own, actor=other)
    assert Evidence.objects.count() == 1
    own.refresh_from_db()
    assert own.status == ScoreSheet.Status.DRAFT


def test_a_member_cannot_verify_send_back_or_add_lines(own, crit, scoring, world, media):
    member = world.users["member"]
    submit_self(own, crit)
    with pytest.raises(PermissionDenied):
        services.sheet_for(
            pledge=scoring, organization=world.orgs[2], round="verified", actor=member
        )
    verify = services.sheet_for(pledge=scoring, organization=world.orgs[2], round="verified")
    with pytest.raises(PermissionDenied):
        services.sheet_save_grid(sheet=verify, rows=_grid(crit), reason="x", actor=member)
    with pytest.raises(PermissionDenied):
        services.sheet_return(sheet=own, reason="Bổ sung", actor=member)
    with pytest.raises(PermissionDenied):
        services.adjustment_add(
            pledge=scoring,
            organization=world.orgs[2],
            kind="bonus",
            points="1",
            reason="x",
            actor=member,
        )
    line = services.adjustment_add(
        pledge=scoring, organization=world.orgs[0], kind="bonus", points="1", reason="x"
    )
    with pytest.raises(PermissionDenied):
        services.adjustment_delete(adjustment=line, actor=member)
    assert not Score.objects.filter(sheet=verify).exists()
    own.refresh_from_db()
    assert own.status == ScoreSheet.Status.SUBMITTED
    assert list(Adjustment.objects.all()) == [line]


def test_a_cross_sheet_is_written_by_its_scoring_member(scoring, world, crit):
    Pledge.objects.filter(pk=scoring.pk).update(scoring_method="cross_average")
    scoring.refresh_from_db()
    scorer = OfficialFactory(organization=world.orgs[3]).user
    cross = services.sheet_for(
        pledge=scoring,
        organization=world.orgs[2],
        round="cross",
        scorer=world.orgs[3],
        actor=scorer,
    )
    with pytest.raises(PermissionDenied):
        services.sheet_save_grid(sheet=cross, rows=_grid(crit), actor=world.users["member"])
    services.sheet_save_grid(sheet=cross, rows=_grid(crit), actor=scorer)
    assert Score.objects.filter(sheet=cross).count() == 1


def test_the_secretariat_changes_submitted_evidence_but_not_of_its_own_sheet(
    own, crit, scoring, world, media
):
    submit_self(own, crit)
    score = Score.objects.get(sheet=own, criterion=crit["A2"])
    secretariat = world.users["secretariat"]
    services.evidence_add(score=score, uploaded=SimpleUploadedFile("b.pdf", PDF), actor=secretariat)
    chair_sheet = services.sheet_for(pledge=scoring, organization=world.orgs[0], round="self")
    fill(chair_sheet, crit, A1="10", A2="20", B1="50")
    chair_score = Score.objects.get(sheet=chair_sheet, criterion=crit["A2"])
    services.evidence_add(score=chair_score, uploaded=SimpleUploadedFile("c.pdf", PDF))
    services.sheet_submit(sheet=chair_sheet)
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(
            score=chair_score, uploaded=SimpleUploadedFile("d.pdf", PDF), actor=secretariat
        )
    assert "only the secretariat can change its evidence" in messages(exc)
    assert chair_score.evidence.count() == 1


# Saving a sheet with its files, in one step ---------------------------------------------------


def test_sheet_save_with_evidence_keeps_the_scores_and_reports_each_refused_file(
    scoring, crit, world, media
):
    saved = services.sheet_save_with_evidence(
        pledge=scoring,
        organization=world.orgs[2],
        round="self",
        rows=[{"criterion": crit["A2"], "points": "20"}, {"criterion": crit["B1"], "points": "50"}],
        files=[
            (crit["A2"], SimpleUploadedFile("mc.pdf", PDF)),
            (crit["B1"], SimpleUploadedFile("virus.pdf", b"MZ" * 50)),
            (crit["A1"], SimpleUploadedFile("a1.pdf", PDF)),
        ],
        actor=world.users["member"],
    )
    assert saved.sheet.organization == world.orgs[2]
    assert Score.objects.filter(sheet=saved.sheet).count() == 2
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["mc.pdf"]
    assert len(saved.refused) == 2
    assert saved.refused[0].startswith("B1: ") and "not a real PDF file" in saved.refused[0]
    assert saved.refused[1].startswith("A1: enter its points before attaching evidence")


def test_sheet_save_with_evidence_writes_nothing_when_a_row_is_refused(scoring, crit, world):
    with pytest.raises(ValidationError) as exc:
        services.sheet_save_with_evidence(
            pledge=scoring,
            organization=world.orgs[2],
            round="self",
            rows=[{"criterion": crit["A1"], "points": "99"}],
            files=[(crit["A1"], SimpleUploadedFile("a.pdf", PDF))],
            actor=world.users["member"],
        )
    assert "A1" in exc.value.message_dict
    assert not ScoreSheet.objects.exists() and not Evidence.objects.exists()


def test_the_limits_are_one_pure_check(crit):
    b1 = crit["B1"]  # 60 points, bonus up to 5
    assert services.check_score_limits(b1, points=D("60"), bonus=D("5")) == []
    assert services.check_score_limits(b1, points=D("60.01"), bonus=D("5.01")) == [
        ("points", "points_over_max"),
        ("bonus", "bonus_over_cap"),
    ]
    assert services.check_score_limits(crit["A1"], points=None, bonus=D("1")) == [
        ("bonus", "bonus_not_allowed")
    ]
    assert services.check_score_limits(b1, points=D("-1")) == [("points", "points_negative")]


def test_a_score_holds_at_most_the_quota_of_evidence_files(own, crit, media, settings, world):
    settings.PORTAL_EVIDENCE_MAX_FILES = 2
    score = services.score_save(sheet=own, criterion=crit["A2"], points=20)
    for name in ("a.pdf", "b.pdf"):
        services.evidence_add(score=score, uploaded=SimpleUploadedFile(name, PDF))
    with pytest.raises(ValidationError) as exc:
        services.evidence_add(score=score, uploaded=SimpleUploadedFile("c.pdf", PDF))
    assert messages(exc) == (
        "This score already has 2 evidence files, the most one score may hold (2): "
        "delete one before adding “c.pdf”."
    )
    assert score.evidence.count() == 2
    assert len(list(media.rglob("*.pdf"))) == 2  # the refused file was never stored
    # Another score of the same sheet has its own quota.
    other = services.score_save(sheet=own, criterion=crit["A1"], points=10)
    services.evidence_add(score=other, uploaded=SimpleUploadedFile("d.pdf", PDF))
    # Through the sheet's save the refusal is one message and the scores stay saved.
    saved = services.sheet_save_with_evidence(
        pledge=own.pledge,
        organization=own.organization,
        round="self",
        rows=[{"criterion": crit["A2"], "points": "21", "explanation": ""}],
        files=[(crit["A2"], SimpleUploadedFile("e.pdf", PDF))],
    )
    assert len(saved.refused) == 1 and "delete one before adding “e.pdf”" in saved.refused[0]
