"""Audit (issue 14): every kind of write leaves a history row naming its author, the
password never enters the history, and the history cannot be altered through the admin."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import Meeting, MeetingAttachment, Membership, Organization, current_year
from pledges import services as pledge_services
from pledges.models import Evidence, Score, ScoreSheet
from portal.lib.admin import HistoryAdmin

from .blocs.test_admin import _memberships_csv, _preview, _process
from .factories import PASSWORD, UserFactory
from .test_access_matrix import d2_pledge

User = get_user_model()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
YEAR = current_year()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rows(model, **filters):
    return list(model.history.filter(**filters).order_by("history_date", "history_id"))


# --- Files -----------------------------------------------------------------------------


@pytest.fixture
def meeting(world):
    return bloc_services.meeting_create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.OTHER,
        title="Hội nghị sơ kết",
        starts_at=dt.datetime(YEAR, 1, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")),
        place="Hải Phòng",
    )


def test_attachment_upload_and_delete_are_in_the_history(meeting, world, client_for):
    client = client_for("secretariat")
    data = {"kind": "document", "title": "Biên bản", "file": SimpleUploadedFile("b.pdf", PDF)}
    assert client.post(reverse("blocs:attachment_add", args=[meeting.pk]), data).status_code == 302
    attachment = MeetingAttachment.objects.get()
    client.post(reverse("blocs:attachment_delete", args=[attachment.pk]))
    assert not MeetingAttachment.objects.exists()
    rows = _rows(MeetingAttachment, id=attachment.pk)
    assert [r.history_type for r in rows] == ["+", "-"]
    assert all(r.history_user == world.users["secretariat"] for r in rows)
    assert rows[-1].original_name == "b.pdf" and rows[-1].meeting_id == meeting.pk


def test_evidence_upload_and_delete_are_in_the_history(world):
    pledge = d2_pledge(world)
    official = world.users["member"]
    sheet = ScoreSheet.objects.create(pledge=pledge, organization=world.orgs[2], round="self")
    score = Score.objects.create(sheet=sheet, criterion=pledge.criteria.get(code="A1"), points=5)
    evidence = pledge_services.evidence_add(
        score=score, uploaded=SimpleUploadedFile("minh-chung.pdf", PDF), actor=official
    )
    pk = evidence.pk  # delete() empties it
    pledge_services.evidence_delete(evidence=evidence, actor=official)
    rows = _rows(Evidence, id=pk)
    assert [r.history_type for r in rows] == ["+", "-"]
    assert all(r.history_user == official for r in rows)


# --- Accounts --------------------------------------------------------------------------


def test_a_staff_flag_change_in_the_admin_is_in_the_history(world, client_for):
    target = world.users["member"]
    client = client_for("admin")
    url = reverse("admin:auth_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "username": target.username,
            "is_staff": "on",
            "is_active": "on",
            "date_joined_0": target.date_joined.strftime("%d/%m/%Y"),
            "date_joined_1": target.date_joined.strftime("%H:%M:%S"),
            "official-TOTAL_FORMS": "1",
            "official-INITIAL_FORMS": "1",
            "official-MIN_NUM_FORMS": "0",
            "official-MAX_NUM_FORMS": "1",
            "official-0-id": target.official.pk,
            "official-0-user": target.pk,
            "official-0-organization": target.official.organization_id,
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.is_staff
    latest = target.history.latest()
    assert latest.is_staff and latest.history_user == world.users["admin"]
    assert latest.history_type == "~"


def test_the_admin_shows_an_account_s_history(world, client_for):
    target = world.users["member"]
    target.is_staff = True
    target.save()
    response = client_for("admin").get(reverse("admin:auth_user_history", args=[target.pk]))
    assert response.status_code == 200
    assert "pbkdf2" not in response.content.decode() and "md5$" not in response.content.decode()


def test_the_user_history_never_holds_the_password():
    fields = {f.name for f in User.history.model._meta.get_fields()}
    assert "password" not in fields and "is_superuser" in fields and "is_staff" in fields


def test_a_password_change_is_a_history_row_without_the_secret(client, db):
    user = UserFactory(username="doimk")
    client.force_login(user)
    new = "Cay-tre-xanh-Hai-Phong-2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    latest = user.history.latest()
    assert latest.history_change_reason == "Password changed"
    assert latest.history_user == user
    assert not hasattr(latest, "password")


def test_a_password_reset_is_a_history_row_by_the_account_s_owner(client, db):
    user = UserFactory(username="quenmk")
    client.post(reverse("password_reset"), {"email": user.email})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    url = client.get(link).url
    new = "Cay-tre-xanh-Hai-Phong-2026"
    assert client.post(url, {"new_password1": new, "new_password2": new}).status_code == 302
    latest = user.history.latest()
    assert latest.history_change_reason == "Password reset through the e-mailed link"
    assert latest.history_user == user


def test_an_admin_setting_someone_s_password_is_named(world, client_for):
    target = world.users["member"]
    client = client_for("admin")
    new = "Cay-tre-xanh-Hai-Phong-2026"
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    latest = target.history.latest()
    assert latest.history_change_reason == "Password set by admin"
    assert latest.history_user == world.users["admin"]


# --- Admin imports and bulk actions ------------------------------------------------------


def test_an_admin_import_is_in_the_history(world, client_for):
    client = client_for("admin")
    content = _memberships_csv((world.bloc.name, world.outsider_org.name, YEAR, None, 5))
    preview = _preview(client, Membership, "m.csv", content)
    assert _process(client, Membership, preview).status_code == 302
    created = Membership.objects.get(bloc=world.bloc, organization=world.outsider_org)
    row = created.history.get()
    assert row.history_type == "+" and row.history_user == world.users["admin"]


def test_an_admin_bulk_delete_is_in_the_history(world, client_for):
    spare = [Organization.objects.create(name=f"Hội Khuyến học {i}") for i in range(2)]
    client = client_for("admin")
    response = client.post(
        reverse("admin:blocs_organization_changelist"),
        {"action": "delete_selected", "_selected_action": [o.pk for o in spare], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organization.objects.filter(pk__in=[o.pk for o in spare]).exists()
    deleted = Organization.history.filter(history_type="-", id__in=[o.pk for o in spare])
    assert deleted.count() == 2
    assert {row.history_user for row in deleted} == {world.users["admin"]}


# --- The history is read-only --------------------------------------------------------------


def test_every_history_admin_is_read_only():
    from simple_history.admin import SimpleHistoryAdmin

    with_history = [a for a in admin.site._registry.values() if isinstance(a, SimpleHistoryAdmin)]
    assert with_history
    assert [type(a).__name__ for a in with_history if not isinstance(a, HistoryAdmin)] == []


def test_posting_an_old_version_changes_nothing(world, client_for):
    org = world.orgs[0]
    first = org.history.earliest()
    org.name = "Hội LHPN thành phố Hải Phòng"
    org.save()
    versions = org.history.count()
    client = client_for("admin")
    url = reverse("admin:blocs_organization_simple_history", args=[org.pk, first.history_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": first.name, "kind": first.kind, "level": first.level})
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name == "Hội LHPN thành phố Hải Phòng"
    assert org.history.count() == versions  # no version written by the refused revert
