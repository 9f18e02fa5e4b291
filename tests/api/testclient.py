"""Starlette's TestClient, imported without its "install httpx2" deprecation warning (the lock
pins httpx; ``filterwarnings = error`` would fail the import). Import TestClient from here."""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

__all__ = ["TestClient"]
