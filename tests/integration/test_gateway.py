"""The submission gateways: the HTTP POST carries the manifest and the package, with the batch
key as Idempotency-Key; the file drop writes both atomically."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from awardflow.services.gateway import FileDropGateway, HttpGateway


def test_http_gateway_posts_manifest_and_package() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, json={"reference": "SNV-2026-0042"})

    gateway = HttpGateway(
        "https://snv.example/api/dossiers", transport=httpx.MockTransport(handler)
    )
    ref = gateway.send("r1-a5-abc", {"items": [{"nominee": "Nguyễn Thị Lan"}]}, b"PK\x03\x04zip")
    assert ref == "SNV-2026-0042"
    request = seen[0]
    assert request.headers["Idempotency-Key"] == "r1-a5-abc"
    body = request.read()
    assert b'filename="r1-a5-abc.zip"' in body
    assert b"PK\x03\x04zip" in body
    assert "Nguyễn Thị Lan".encode() in body or b"Nguy\\u1ec5n" in body


def test_file_drop_writes_both_files(tmp_path: Path) -> None:
    ref = FileDropGateway(tmp_path).send("r1-a5-abc", {"batch_key": "r1-a5-abc"}, b"zipbytes")
    assert ref.endswith("manifest.json")
    assert (tmp_path / "r1-a5-abc" / "package.zip").read_bytes() == b"zipbytes"
    assert (
        json.loads((tmp_path / "r1-a5-abc" / "manifest.json").read_text())["batch_key"]
        == "r1-a5-abc"
    )
    assert not list(tmp_path.glob("**/*.part"))
