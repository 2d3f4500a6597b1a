"""Photos are checked with Pillow, re-encoded without metadata, stored privately."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from baoxiu.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from baoxiu.evidence.files import private_storage
from baoxiu.evidence.models import JobPhoto
from baoxiu.evidence.services import photo_add
from baoxiu.tickets.choices import TicketStatus
from tests.factories import PASSWORD, image_file, ticket_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(fault_type, technician):
    return ticket_at(TicketStatus.IN_PROGRESS, fault_type=fault_type, technician=technician)


def stored_files():
    root = settings.PRIVATE_MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_photo_is_reencoded_without_metadata_outside_the_web_root(job, technician):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {2: (22.0, 32.0, 0.0)}  # a GPS position
    photo = photo_add(
        ticket=job,
        actor=technician.user,
        kind="before",
        upload=image_file(fmt="PNG", name="door.png", exif=exif),
        caption="门锁外观",
    )
    assert photo.file_name.startswith(f"photos/{job.code}/") and photo.file_name.endswith(".jpg")
    path = private_storage.path(photo.file_name)
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not path.startswith(str(settings.STATIC_ROOT)) and not path.startswith(
        str(settings.MEDIA_ROOT)
    )
    with Image.open(path) as saved:
        assert saved.format == "JPEG"
        assert saved.size == (64, 48)
        assert len(saved.getexif()) == 0
        assert "exif" not in saved.info


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: image_file(fmt="GIF", name="x.gif"), "photo_type_not_allowed"),
        (lambda: image_file(fmt="GIF", name="x.jpg"), "photo_type_not_allowed"),
        (
            lambda: SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", "image/jpeg"),
            "photo_not_an_image",
        ),
        (
            lambda: SimpleUploadedFile("x.png", b"<script>alert(1)</script>", "image/png"),
            "photo_not_an_image",
        ),
        (lambda: SimpleUploadedFile("x.jpg", b"", "image/jpeg"), "photo_not_an_image"),
        (lambda: None, "photo_missing"),
    ],
    ids=["gif", "gif-named-jpg", "pdf-named-jpg", "script-named-png", "empty", "missing"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(job, technician, upload, code):
    with pytest.raises(ValidationFailed) as refused:
        photo_add(ticket=job, actor=technician.user, kind="after", upload=upload())
    assert refused.value.code == code
    assert not JobPhoto.objects.exists()
    assert stored_files() == []


def test_truncated_jpeg_is_refused(job, technician):
    data = image_file(size=(200, 200)).read()
    upload = SimpleUploadedFile("cut.jpg", data[: len(data) // 2], "image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        photo_add(ticket=job, actor=technician.user, kind="after", upload=upload)
    assert refused.value.code == "photo_not_an_image"
    assert stored_files() == []


def test_too_big_is_refused(job, technician, settings):
    settings.PHOTO_MAX_BYTES = 1000
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 80).convert("RGB").save(buffer, format="JPEG")
    assert buffer.tell() > 1000
    upload = SimpleUploadedFile("big.jpg", buffer.getvalue(), "image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        photo_add(ticket=job, actor=technician.user, kind="after", upload=upload)
    assert refused.value.code == "photo_too_large"
    assert stored_files() == []


def test_only_the_jobs_technician_on_site(job, fault_type, technician, other_technician):
    with pytest.raises(PermissionDenied):
        photo_add(ticket=job, actor=other_technician.user, kind="after", upload=image_file())
    assigned = ticket_at(TicketStatus.ASSIGNED, fault_type=fault_type, technician=technician)
    with pytest.raises(IllegalTransition) as refused:
        photo_add(ticket=assigned, actor=technician.user, kind="after", upload=image_file())
    assert refused.value.code == "evidence_not_recordable"
    assert not JobPhoto.objects.exists()


def test_upload_through_the_job_page(client, job, technician):
    client.login(username=technician.user.username, password=PASSWORD)
    response = client.post(
        f"/console/jobs/{job.code}/evidence/photos/",
        {"kind": "before", "photo": image_file(), "caption": "<b>门</b>"},
    )
    assert response.status_code == 302
    page = client.get(f"/console/jobs/{job.code}/evidence/").content.decode()
    assert "&lt;b&gt;门&lt;/b&gt;" in page and "<b>门</b>" not in page
    response = client.post(
        f"/console/jobs/{job.code}/evidence/photos/",
        {"kind": "before", "photo": SimpleUploadedFile("a.jpg", b"GIF89a....", "image/jpeg")},
    )
    assert response.status_code == 400
    assert "文件不是有效的图片。" in response.content.decode()
    assert JobPhoto.objects.count() == 1


def test_upload_through_the_api(client, job, technician):
    client.login(username=technician.user.username, password=PASSWORD)
    url = f"/api/v1/staff/tickets/{job.code}/photos"
    response = client.post(url, {"kind": "after", "photo": image_file()})
    assert response.status_code == 201
    assert (
        response.json()["url"] == f"/console/tickets/{job.code}/photos/{JobPhoto.objects.get().pk}/"
    )
    response = client.post(url, {"kind": "after", "photo": image_file(fmt="GIF")})
    assert response.status_code == 422
    assert response.json()["code"] == "photo_type_not_allowed"
    response = client.post(url, {"kind": "sideways", "photo": image_file()})
    assert response.status_code == 422
    assert JobPhoto.objects.count() == 1
