"""Uploaded images kept outside the web root.

Every image is opened with Pillow (a file that is not a JPEG, PNG or WebP
image is refused whatever its name says), checked for size and pixel count,
then re-encoded as a fresh JPEG: orientation applied, metadata (EXIF, GPS
position, camera serial) dropped. The original bytes are never stored. Files
live under ``settings.PRIVATE_MEDIA_ROOT``, which no URL maps to; views that
check access stream them (``private_file_response``).
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from baoxiu.core.errors import ValidationFailed

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; anything larger is refused unopened
MAX_SIDE = 2560  # stored images are scaled down to this


class PrivateStorage(FileSystemStorage):
    """File storage rooted at ``settings.PRIVATE_MEDIA_ROOT``, read on each use
    (so tests and deployments can point it elsewhere); it has no URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("private files are served only through access-checked views")


private_storage = PrivateStorage()


@dataclass(frozen=True)
class StoredImage:
    name: str
    width: int
    height: int
    size_bytes: int
    sha256: str


def image_store(*, upload, folder: str) -> StoredImage:
    """Check ``upload`` (a Django UploadedFile or any binary file object) and store
    a clean re-encoded copy under ``folder``. Raises ValidationFailed with code
    ``photo_missing``, ``photo_too_large``, ``photo_not_an_image`` or
    ``photo_type_not_allowed``; nothing is written then."""
    if upload is None:
        raise ValidationFailed(_("请选择照片。"), code="photo_missing")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > settings.PHOTO_MAX_BYTES:
        raise ValidationFailed(
            _("照片不能超过 %(mb)d MB。") % {"mb": settings.PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    if size == 0:
        raise ValidationFailed(_("文件不是有效的图片。"), code="photo_not_an_image")
    try:
        with Image.open(upload) as probe:
            image_format = probe.format
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationFailed(_("图片尺寸过大。"), code="photo_too_large")
            if image_format not in ALLOWED_FORMATS:
                raise ValidationFailed(
                    _("只接受 JPEG、PNG 或 WebP 格式的照片。"), code="photo_type_not_allowed"
                )
            probe.verify()  # truncated or corrupt data raises here
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            clean = ImageOps.exif_transpose(image)
            if clean.mode not in ("RGB", "L"):
                background = Image.new("RGB", clean.size, "white")
                rgba = clean.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                clean = background
            clean.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            clean.save(out, format="JPEG", quality=85, optimize=True)  # no exif= : metadata dropped
            final_size = clean.size
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(_("文件不是有效的图片。"), code="photo_not_an_image") from None
    data = out.getvalue()
    name = private_storage.save(f"{folder}/{uuid.uuid4().hex}.jpg", ContentFile(data))
    return StoredImage(
        name=name,
        width=final_size[0],
        height=final_size[1],
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def image_delete(name: str) -> None:
    if name:
        private_storage.delete(name)


def private_file_response(name: str, *, cache_seconds: int = 0) -> FileResponse:
    """Stream a stored image. Never stored by proxies; by default not by the
    browser either. ``cache_seconds`` lets the requester's own browser keep an
    image for a while (a stored file never changes under its name), so a page
    that refreshes every 5 seconds does not download its photos again each time."""
    if not name or not private_storage.exists(name):
        raise Http404
    response = FileResponse(private_storage.open(name, "rb"), content_type="image/jpeg")
    response["Cache-Control"] = (
        f"private, max-age={cache_seconds}" if cache_seconds else "private, no-store"
    )
    response["Content-Disposition"] = "inline"
    response["Referrer-Policy"] = "no-referrer"
    return response
