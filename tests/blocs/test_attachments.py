"""Meeting attachments: size and content checks, and the approved-minutes lock."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from blocs import services
from blocs.models import Meeting, MeetingAttachment
from portal.lib.uploads import MAX_UPLOAD_BYTES
from tests.blocs.records import complete_record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def meeting(world):
    from tests.blocs.test_meeting_services import at

    return services.meeting_create(
        bloc=world.bloc,
        year=2020,
        kind=Meeting.Kind.YEAR_END,
        title="Tổng kết 2020",
        starts_at=at(2020, 12, 29, 14),
        ends_at=None,
        place="Hải Phòng",
        host=None,
    )


@pytest.mark.parametrize(
    ("name", "content", "kind", "mime"),
    [
        ("bien-ban.pdf", PDF, "document", "application/pdf"),
        ("anh.PNG", PNG, "photo", "image/png"),
        (
            "bao-cao.docx",
            docx_bytes(),
            "document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepts_real_files(media, meeting, name, content, kind, mime):
    att = services.attachment_add(
        meeting=meeting, kind=kind, title="", uploaded=SimpleUploadedFile(name, content)
    )
    assert att.content_type == mime and att.size == len(content)
    assert att.original_name == name and name not in att.file.name  # stored under a random name
    assert (media / att.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "kind", "code"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 100, "document", "disguised"),
        ("trang.pdf", b"<html><script>alert(1)</script></html>", "document", "disguised"),
        ("anh.png", PDF, "photo", "bad_extension"),  # a PDF is no photo
        ("anh.pdf", PDF, "photo", "bad_extension"),
        ("script.exe", PDF, "document", "bad_extension"),
        ("rong.pdf", b"", "document", "empty"),
    ],
)
def test_refuses_disguised_or_unexpected_files(media, meeting, name, content, kind, code):
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            meeting=meeting, kind=kind, title="x", uploaded=SimpleUploadedFile(name, content)
        )
    assert "file" in exc.value.message_dict
    assert not MeetingAttachment.objects.exists()
    assert not any(media.rglob("*.*"))


def test_refuses_a_file_over_10_mb(media, meeting):
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * MAX_UPLOAD_BYTES)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(meeting=meeting, kind="document", title="", uploaded=big)
    assert "10" in exc.value.message_dict["file"][0]
    assert not MeetingAttachment.objects.exists()


def test_after_approval_only_signed_scans(media, meeting):
    complete_record(meeting)
    services.meeting_mark_held(meeting=meeting)
    meeting = services.meeting_approve(meeting=meeting)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            meeting=meeting, kind="photo", title="", uploaded=SimpleUploadedFile("a.png", PNG)
        )
    assert exc.value.code == "locked"
    scan = services.attachment_add(
        meeting=meeting,
        kind="signed_scan",
        title="Biên bản có chữ ký",
        uploaded=SimpleUploadedFile("bb.pdf", PDF),
    )
    with pytest.raises(ValidationError):
        services.attachment_delete(attachment=scan)
    assert MeetingAttachment.objects.filter(pk=scan.pk).exists()
