"""Attachments of an inbound email: photos are kept, anything else is refused and noted.

Brief 004 asks for photos only. A part is kept when its declared type is one of
``WAGTAIL_GUESTS_INBOUND_IMAGE_TYPES`` *and* its first bytes are that kind of image (so a page
or a program labelled ``image/png`` is refused), and it is no larger than
``WAGTAIL_GUESTS_INBOUND_ATTACHMENT_MAX_BYTES``. Kept files get a random name with the
extension of their type: the sender's file name is only shown, never used as a path.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.utils.text import get_valid_filename

from ..conf import guests_settings
from ..models import MessageAttachment

#: At most this many photos are kept from one email; the others are refused.
MAX_KEPT = 20

EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/heif": ".heif",
}

#: Reasons recorded with a refused attachment (shown translated in the admin).
NOT_A_PHOTO = "type"
TOO_LARGE = "size"
TOO_MANY = "count"


def sniff_image_type(data: bytes) -> str | None:
    """The image type the content really is, from its first bytes, or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx"):
            return "image/heic"
        if brand in (b"mif1", b"msf1", b"heif"):
            return "image/heif"
    return None


def _same_kind(declared: str, actual: str | None) -> bool:
    if actual is None:
        return False
    heif = {"image/heic", "image/heif"}
    return declared == actual or (declared in heif and actual in heif)


def attachment_parts(message) -> list:
    """The parts of ``message`` that are attachments, including inline pictures.

    Inline text parts are the email's body, not attachments.
    """
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.is_attachment() or (part.is_inline() and part.get_content_maintype() != "text"):
            parts.append(part)
    return parts


def _display_name(part) -> str:
    name = part.get_filename() or ""
    name = " ".join(str(name).split())  # no CR/LF or tabs from the sender
    return name[:255]


def store_attachments(message, parts, saved_files: list[str]) -> list[dict]:
    """Keep the photos among ``parts`` as attachments of ``message`` (a saved ``Message``).

    Returns the refused ones as ``{"name", "content_type", "reason"}``. The names of stored
    files are appended to ``saved_files``, so the caller can remove them if its transaction
    fails.
    """
    allowed = {t.lower() for t in guests_settings.INBOUND_IMAGE_TYPES}
    max_bytes = guests_settings.INBOUND_ATTACHMENT_MAX_BYTES
    refused, kept = [], 0
    for part in parts:
        content_type = part.get_content_type().lower()[:100]
        name = _display_name(part)
        reason = None
        data = b""
        if content_type not in allowed:
            reason = NOT_A_PHOTO
        else:
            data = part.get_content_bytes() or b""
            if max_bytes and len(data) > max_bytes:
                reason = TOO_LARGE
            elif not _same_kind(content_type, sniff_image_type(data)):
                reason = NOT_A_PHOTO
            elif kept >= MAX_KEPT:
                reason = TOO_MANY
        if reason is not None:
            refused.append({"name": name, "content_type": content_type, "reason": reason})
            continue
        attachment = MessageAttachment(
            message=message,
            file_name=name or get_valid_filename(f"photo{EXTENSIONS.get(content_type, '')}"),
            content_type=content_type,
            size=len(data),
        )
        stored_name = f"{uuid.uuid4().hex}{EXTENSIONS.get(content_type, '')}"
        attachment.file.save(stored_name, ContentFile(data), save=False)
        saved_files.append(attachment.file.name)
        attachment.save()
        kept += 1
    return refused
