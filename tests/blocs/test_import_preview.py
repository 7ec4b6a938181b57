"""Import previews an admin can read (issue 12): every row checked and listed, the refused
ones with the reason in the row, in Vietnamese, naming the column and the value; columns and
codes exported as Vietnamese labels, which the import reads back."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from blocs.models import Membership, Organization, current_year

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def admin_client_vi(client, world, settings):
    settings.LANGUAGE_CODE = "vi"
    client.force_login(world.users["admin"])
    return client


def _format_index(model, extension: str) -> str:
    formats = admin.site._registry[model].get_import_formats()
    return str(next(i for i, f in enumerate(formats) if f().get_extension() == extension))


def _preview(client, model, name: str, content: bytes):
    extension = name.rsplit(".", 1)[1]
    return client.post(
        reverse(f"admin:blocs_{model._meta.model_name}_import"),
        {
            "resource": "0",
            "format": _format_index(model, extension),
            "import_file": SimpleUploadedFile(name, content),
        },
    )


def _refused_file(world) -> bytes:
    text = (FIXTURES / "memberships_refused.csv").read_text()
    return text.format(
        bloc=world.bloc.name,
        org=world.outsider_org.name,
        org2=Organization.objects.create(name="Hội Nông dân thành phố").name,
        year=current_year(),
    ).encode()


def test_every_row_is_checked_and_listed_with_its_reason(admin_client_vi, world):
    before = Membership.objects.count()
    response = _preview(admin_client_vi, Membership, "thanh-vien.csv", _refused_file(world))
    assert response.status_code == 200
    rows = response.context["preview_rows"]
    assert [(r.number, r.status) for r in rows] == [
        (1, "new"),
        (2, "invalid"),
        (3, "invalid"),
        (4, "invalid"),
    ]
    assert rows[0].status_label == "Mới" and rows[1].status_label == "Bị từ chối"
    assert rows[1].errors == [
        "Khối/cụm thi đua: Không có khối/cụm thi đua nào tên “Khối thi đua số 99”."
    ]
    assert rows[2].errors == ["Đơn vị: Không có đơn vị nào tên “Hội Không Có Thật”."]
    assert rows[3].errors and rows[3].errors[0].startswith("Năm bắt đầu: ")
    html = response.content.decode()
    assert "Line number" not in html and "matching query does not exist" not in html
    from tests.test_admin_vietnamese import _usernames, english_on

    assert english_on(html, _usernames()) == {}
    assert rows[1].cells[0] == "Khối thi đua số 99"  # the row's own values, under their column
    assert rows[3].cells[2] == "năm sau"
    assert "Khối thi đua số 99" in html
    assert response.context.get("confirm_form") is None
    assert Membership.objects.count() == before


def test_the_export_uses_vietnamese_labels_and_reads_back(admin_client_vi, world):
    url = reverse("admin:blocs_organization_export")
    formats = admin.site._registry[Organization].get_export_formats()
    xlsx = next(i for i, f in enumerate(formats) if f().get_extension() == "xlsx")
    response = admin_client_vi.post(
        url,
        {
            "format": str(xlsx),
            "resource": "0",
            **{
                f"organizationresource_{name}": "on"
                for name in ("name", "short_name", "kind", "level", "is_active")
            },
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Tên", "Tên gọi tắt", "Loại", "Cấp", "Đang hoạt động")
    first = next(r for r in rows if r[0] == world.orgs[0].name)
    assert first[2] == world.orgs[0].get_kind_display() and first[4] == "Có"
    # an admin edits the file and imports it back: the labels are read as the codes
    target = rows.index(first) + 1
    sheet.cell(target, 2, "Phụ nữ TP")
    sheet.cell(target, 3, "Khác")
    sheet.cell(target, 5, "Không")
    out = io.BytesIO()
    sheet.parent.save(out)
    preview = _preview(admin_client_vi, Organization, "don-vi.xlsx", out.getvalue())
    statuses = {r.status for r in preview.context["preview_rows"]}
    assert statuses <= {"update", "skip"} and "update" in statuses
    confirm = preview.context["confirm_form"]
    admin_client_vi.post(
        reverse("admin:blocs_organization_process_import"),
        {name: confirm[name].value() for name in confirm.fields},
    )
    world.orgs[0].refresh_from_db()
    org = world.orgs[0]
    assert (org.short_name, org.kind, org.is_active) == (
        "Phụ nữ TP",
        Organization.Kind.OTHER,
        False,
    )


def test_older_files_with_codes_still_import(admin_client_vi, world):
    content = (FIXTURES / "organizations.csv").read_bytes()
    preview = _preview(admin_client_vi, Organization, "organizations.csv", content)
    assert preview.context["confirm_form"] is not None
    assert {r.status for r in preview.context["preview_rows"]} == {"new"}


def test_the_import_page_names_the_columns_by_their_labels(admin_client_vi):
    html = admin_client_vi.get(reverse("admin:blocs_membership_import")).content.decode()
    assert "Khối/cụm thi đua" in html and "Năm bắt đầu" in html
    assert "first_year" not in html
