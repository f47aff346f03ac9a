"""POST /api/v1/files: an image sent as multipart (`file`) or as the raw body, kept
for the team and named by its id as an image-to-video source (`params.file`)."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from ninja import Schema

from studio.api import idempotency, problems
from studio.api.models import Scope, Upload
from studio.api.schemas import ProblemOut, Timestamp
from studio.api.service import ERRORS, api, membership, need
from studio.lib.images import check_upload

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
BINARY = {"schema": {"type": "string", "format": "binary"}}
BODY = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": BINARY["schema"]}},
                            "encoding": {"file": {"contentType": ", ".join(IMAGE_TYPES)}}},
    **{content_type: BINARY for content_type in IMAGE_TYPES}}}}


class FileOut(Schema):
    id: int
    size: int
    content_type: str
    created_at: Timestamp


@api.post("/files", response={201: FileOut, 415: ProblemOut, **ERRORS}, tags=["files"],
          openapi_extra=BODY)
def upload_file(request):
    """A JPEG, PNG or WebP image (up to STUDIO_MAX_UPLOAD_BYTES): its id goes in
    `params.file` of an image-to-video generation."""
    token = need(request, Scope.GENERATE)
    return idempotency.once(request, token, lambda: stored(request, token))


def sent_file(request: HttpRequest):
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        return request.FILES.get("file")
    if content_type in IMAGE_TYPES:
        return ContentFile(request.body, name="upload")
    return None


def stored(request: HttpRequest, token) -> HttpResponse:
    sent = sent_file(request)
    if sent is None:
        return problems.response("unsupported-media-type", "Send the image as multipart "
                                 "form data (field `file`) or as the body with its "
                                 "Content-Type: " + ", ".join(IMAGE_TYPES) + ".")
    try:
        extension = check_upload(sent)
    except ValidationError as exc:
        return problems.response("validation", " ".join(exc.messages),
                                 errors={"file": exc.messages})
    upload = Upload(team=membership(request).team, token=token, extension=extension,
                    size=sent.size)
    upload.file.save(f"upload.{extension}", sent, save=False)
    upload.save()
    return HttpResponse(FileOut(**file_out(upload)).model_dump_json(), status=201,
                        content_type="application/json")


def file_out(upload: Upload) -> dict:
    return {"id": upload.pk, "size": upload.size, "created_at": upload.created_at,
            "content_type": f"image/{'jpeg' if upload.extension == 'jpg' else upload.extension}"}


def as_form_file(team, pk: int) -> SimpleUploadedFile | None:
    """The team's upload #pk as the form's `image_file`, or None."""
    upload = Upload.objects.for_team(team).filter(pk=pk).first()
    if upload is None:
        return None
    with upload.file.open("rb") as handle:
        return SimpleUploadedFile(f"upload.{upload.extension}", handle.read())
