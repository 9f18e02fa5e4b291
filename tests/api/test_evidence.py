"""Uploads are checked by content, size and name before anything is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from tests.api.conftest import Auth
from tests.api.helpers import PDF_BYTES, create_draft, docx_bytes, ok, upload
from tests.api.testclient import TestClient
from tests.support.world import World

from awardflow.db.models import Evidence, Nomination
from awardflow.services.evidence import MemoryFileStore


def _state(world: World, nid: int) -> tuple[int, int]:
    with world.db.read() as s:
        rows = s.execute(select(func.count()).where(Evidence.nomination_id == nid)).scalar_one()
        nom = s.get(Nomination, nid)
        assert nom is not None
        return int(rows), nom.content_version


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("bao-cao.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 200, 415, "unsupported_media_type"),
        ("bao-cao.pdf", b"MZ\x90\x00" + b"\0" * 200, 415, "unsupported_media_type"),
        ("bao-cao.pdf", b"%PDF-1.4\n" + b"x" * (64 * 1024), 413, "payload_too_large"),
        ("../../etc/passwd.pdf", PDF_BYTES, 422, "invalid_input"),
        ("..\\bao-cao.pdf", PDF_BYTES, 422, "invalid_input"),
        ("rong.pdf", b"", 422, "invalid_input"),
        ("fake.docx", b"PK\x03\x04not really a zip", 415, "unsupported_media_type"),
    ],
)
def test_refused_uploads_store_nothing(
    client: TestClient,
    auth: Auth,
    api_world: World,
    store: MemoryFileStore,
    name: str,
    data: bytes,
    status: int,
    code: str,
) -> None:
    nid = create_draft(client, auth, api_world)["id"]
    before = _state(api_world, nid)
    r = upload(client, auth, "clerk_a", nid, name, data)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code and body["message"] and body["message_en"]
    assert store.files == {}
    assert _state(api_world, nid) == before


def test_accepted_upload_is_content_addressed_and_downloadable(
    client: TestClient, auth: Auth, api_world: World, store: MemoryFileStore
) -> None:
    nid = create_draft(client, auth, api_world)["id"]
    pdf = ok(upload(client, auth, "clerk_a", nid, "Báo cáo thành tích.pdf", PDF_BYTES), 201)
    docx = ok(
        upload(
            client,
            auth,
            "clerk_a",
            nid,
            "ho-so.docx",
            docx_bytes(),
            "other",
            "application/octet-stream",
        ),
        201,
    )
    assert pdf["content_type"] == "application/pdf"
    assert docx["content_type"].endswith("wordprocessingml.document")
    assert set(store.files) == {pdf["sha256"], docx["sha256"]}
    listed = ok(client.get(f"/api/nominations/{nid}/evidence", headers=auth("head_a")))
    assert [e["id"] for e in listed] == [pdf["id"], docx["id"]]
    got = client.get(f"/api/nominations/{nid}/evidence/{pdf['id']}", headers=auth("head_a"))
    assert got.status_code == 200 and got.content == PDF_BYTES
    assert "filename*=UTF-8''B%C3%A1o" in got.headers["content-disposition"]
    # another unit neither lists nor downloads it
    assert client.get(f"/api/nominations/{nid}/evidence", headers=auth("head_b")).status_code == 404
    r = client.get(f"/api/nominations/{nid}/evidence/{pdf['id']}", headers=auth("head_b"))
    assert r.status_code == 404
