"""Upload checks shared by every app: size and real content type, never the browser's word.

A file is accepted only when its bytes (sniffed by `filetype`) are of an allowed type
and its extension agrees, so a renamed executable or an HTML page posing as a PDF is
refused.
"""

from __future__ import annotations

from pathlib import Path

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

# extension -> the content type its bytes must have
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
IMAGE_TYPES = {ext: mime for ext, mime in DOCUMENT_TYPES.items() if mime.startswith("image/")}

UPLOAD_TOO_LARGE = _("The file is %(size)s; the limit is %(limit)s.")
UPLOAD_EMPTY = _("The file is empty.")
UPLOAD_BAD_EXTENSION = _("Files of type “%(ext)s” are not accepted. Accepted: %(allowed)s.")
UPLOAD_DISGUISED = _(
    "The file's content does not match its name “%(name)s”: it is not a real %(ext)s file."
)


def validate_upload(
    uploaded: UploadedFile,
    allowed: dict[str, str] = DOCUMENT_TYPES,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> str:
    """Return the sniffed content type of `uploaded`, or raise ValidationError."""
    size, name = uploaded.size or 0, uploaded.name or ""
    if size > max_bytes:
        raise ValidationError(
            UPLOAD_TOO_LARGE % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(UPLOAD_EMPTY, code="empty")
    ext = Path(name).suffix.lower()
    if ext not in allowed:
        raise ValidationError(
            UPLOAD_BAD_EXTENSION
            % {"ext": ext or "?", "allowed": ", ".join(sorted({e.lstrip(".") for e in allowed}))},
            code="bad_extension",
        )
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime != allowed[ext]:
        raise ValidationError(
            UPLOAD_DISGUISED % {"name": name, "ext": ext.lstrip(".").upper()},
            code="disguised",
        )
    return kind.mime
