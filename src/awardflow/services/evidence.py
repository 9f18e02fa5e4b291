"""Evidence files (minh chứng): checked by content, stored content-addressed, then attached.

The store is a side effect behind a tiny protocol (DESIGN §3): :class:`DiskFileStore` writes
``store_dir/ab/cdef…`` (the SHA-256 split after two characters), :class:`MemoryFileStore` keeps
bytes in a dict for tests. Everything is checked *before* anything is written: an upload that
is refused leaves no file, no evidence row and no new content version.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from awardflow.db.models import Evidence
from awardflow.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from awardflow.services import nominations
from awardflow.services.context import ServiceContext
from awardflow.settings import EvidenceSettings
from awardflow.states import Actor
from awardflow.states.lifecycle import EVIDENCE_KIND_LABELS

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JPEG = "image/jpeg"
PNG = "image/png"
_OOXML_MAIN = {
    "wordprocessingml.document.main+xml": DOCX,
    "spreadsheetml.sheet.main+xml": XLSX,
}


class FileStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None: ...
    def get(self, sha256: str) -> bytes | None: ...
    def exists(self, sha256: str) -> bool: ...


class DiskFileStore:
    """Files under ``root/ab/cdef…``; written to a temporary name, then renamed (atomic)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(sha256)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, sha256: str) -> bytes | None:
        path = self._path(sha256)
        return path.read_bytes() if path.exists() else None

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).exists()


class MemoryFileStore:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, sha256: str, data: bytes) -> None:
        self.files.setdefault(sha256, data)

    def get(self, sha256: str) -> bytes | None:
        return self.files.get(sha256)

    def exists(self, sha256: str) -> bool:
        return sha256 in self.files


def sniff(data: bytes) -> str | None:
    """The media type the bytes really are (of the five accepted), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                info = zf.getinfo("[Content_Types].xml")
                if info.file_size > 1_000_000:
                    return None
                types = zf.read(info).decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
            return None
        for marker, media in _OOXML_MAIN.items():
            if marker in types:
                return media
    return None


def clean_filename(name: str) -> str:
    """The name as stored and offered for download; a path (``../x``, ``a/b``) is refused."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if "/" in name or "\\" in name or ".." in name:
        raise InvalidInput(
            "Tên tệp không được chứa đường dẫn (/, \\ hoặc ..).",
            "The file name must not contain a path (/, \\ or ..).",
            field="file",
        )
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    if not name.strip(". "):
        raise InvalidInput("Tệp cần có tên.", "The file needs a name.", field="file")
    return name[:255]


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes
    kind: str = "other"


def check(upload: Upload, settings: EvidenceSettings) -> tuple[str, str]:
    """(clean name, media type) of an acceptable upload; raises 413, 415 or 422 otherwise."""
    if len(upload.data) > settings.max_bytes:
        raise PayloadTooLarge(
            f"Tệp vượt quá dung lượng cho phép ({settings.max_bytes // (1024 * 1024)} MB).",
            f"The file is larger than allowed ({settings.max_bytes} bytes).",
            field="file",
        )
    name = clean_filename(upload.filename)
    if not upload.data:
        raise InvalidInput("Tệp rỗng.", "The file is empty.", field="file")
    if upload.kind not in EVIDENCE_KIND_LABELS:
        raise InvalidInput(
            "Loại minh chứng không hợp lệ.",
            f"Unknown evidence kind; one of {', '.join(EVIDENCE_KIND_LABELS)}.",
            field="kind",
        )
    media = sniff(upload.data)
    if media is None or media not in settings.allowed_types:
        raise UnsupportedMediaType(
            "Chỉ nhận tệp PDF, DOCX, XLSX, JPEG hoặc PNG (kiểm tra theo nội dung tệp).",
            "Only PDF, DOCX, XLSX, JPEG or PNG files are accepted (checked by content).",
            field="file",
        )
    return name, media


def upload_evidence(
    session: Session,
    ctx: ServiceContext,
    store: FileStore,
    settings: EvidenceSettings,
    nomination_id: int,
    actor: Actor,
    upload: Upload,
    *,
    now: datetime | None = None,
) -> Evidence:
    """Check, attach (audited, in the caller's transaction), then store the bytes."""
    name, media = check(upload, settings)
    digest = hashlib.sha256(upload.data).hexdigest()
    row = Evidence(
        sha256=digest, filename=name, content_type=media, size=len(upload.data), kind=upload.kind
    )
    evidence = nominations.attach_evidence(session, ctx, nomination_id, actor, row, now=now)
    store.put(digest, upload.data)
    return evidence


def read_file(store: FileStore, evidence: Evidence) -> bytes:
    data = store.get(evidence.sha256)
    if data is None:
        raise NotFound("Không tìm thấy tệp minh chứng.", "The evidence file is missing.")
    return data
