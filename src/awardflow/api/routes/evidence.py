"""Evidence files of a nomination: upload (checked by content), list, download."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from awardflow.api.auth import Me
from awardflow.api.deps import IdPath, Svc
from awardflow.api.schemas.common import ERRORS
from awardflow.api.schemas.nominations import EvidenceOut
from awardflow.db.repositories import nominations as noms_repo
from awardflow.errors import NotFound, PayloadTooLarge
from awardflow.services import evidence
from awardflow.services.visibility import require_nomination

router = APIRouter(prefix="/api/nominations", tags=["evidence"], responses=ERRORS)
_CHUNK = 64 * 1024


def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, refusing (413) as soon as it passes ``max_bytes``."""
    parts: list[bytes] = []
    size = 0
    while chunk := upload.file.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                f"Tệp vượt quá dung lượng cho phép ({max_bytes // (1024 * 1024)} MB).",
                f"The file is larger than allowed ({max_bytes} bytes).",
                field="file",
            )
        parts.append(chunk)
    return b"".join(parts)


@router.post("/{nomination_id}/evidence", status_code=201, response_model=EvidenceOut)
def upload_evidence(
    nomination_id: IdPath,
    file: Annotated[UploadFile, File(description="PDF, DOCX, XLSX, JPEG or PNG.")],
    svc: Svc,
    actor: Me,
    kind: Annotated[str, Form(max_length=60)] = "other",
) -> EvidenceOut:
    settings = svc.settings.evidence
    data = read_limited(file, settings.max_bytes)
    upload = evidence.Upload(filename=file.filename or "", data=data, kind=kind)
    with svc.db.write() as s:
        require_nomination(s, actor, nomination_id)
        row = evidence.upload_evidence(
            s, svc.ctx, svc.store, settings, nomination_id, actor, upload, now=svc.now()
        )
        return EvidenceOut.of(row)


@router.get("/{nomination_id}/evidence", response_model=list[EvidenceOut])
def list_evidence(nomination_id: IdPath, svc: Svc, actor: Me) -> list[EvidenceOut]:
    with svc.db.read() as s:
        require_nomination(s, actor, nomination_id)
        return [EvidenceOut.of(e) for e in noms_repo.evidence_for(s, nomination_id)]


@router.get(
    "/{nomination_id}/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file."}},
)
def download_evidence(nomination_id: IdPath, evidence_id: IdPath, svc: Svc, actor: Me) -> Response:
    with svc.db.read() as s:
        require_nomination(s, actor, nomination_id)
        row = next(
            (e for e in noms_repo.evidence_for(s, nomination_id) if e.id == evidence_id), None
        )
        if row is None:
            raise NotFound("Không có minh chứng này.", "No such evidence.", field="evidence_id")
        data = evidence.read_file(svc.store, row)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "")
    from urllib.parse import quote

    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}"
    return Response(
        data,
        media_type=row.content_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )
