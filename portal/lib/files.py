"""Files people upload (meeting attachments, evidence) and files the portal serves privately.

Every stored upload keeps the name it came with, its sniffed content type and its size, and is
stored under a random name (never the uploaded path; only the extension survives). Every file
is served by `private_download`: as an attachment, with the type the portal checked, never
sniffed by the browser, and never cached by a shared cache.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _


def random_name(folder: str, filename: str) -> str:
    """`folder/<random hex><extension of filename>`."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def stored_upload_path(instance: StoredUpload, filename: str) -> str:
    return random_name(instance.storage_folder(), filename)


class StoredUpload(models.Model):
    """A file someone uploaded, as the portal checked it (see `portal.lib.uploads`)."""

    file = models.FileField(_("file"), upload_to=stored_upload_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def storage_folder(self) -> str:
        """The folder under MEDIA_ROOT the file goes to (by its owner, for tidy backups)."""
        raise NotImplementedError

    def download(self) -> FileResponse:
        return private_download(self.file, self.original_name, self.content_type)


def private_download(stored: FieldFile, filename: str, content_type: str) -> FileResponse:
    """The stored file as a download; 404 when the file is gone from the storage."""
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
