"""``uvicorn awardflow.api.main:app``: the API built from the environment's settings."""

from __future__ import annotations

from awardflow.api.app import create_app
from awardflow.settings import get_settings

app = create_app(get_settings())
