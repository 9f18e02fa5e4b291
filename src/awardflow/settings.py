"""One settings object for the whole service, read from the environment (prefix ``AWARDFLOW_``).

Nested sections use a double underscore: ``AWARDFLOW_MAIL__HOST``. Everything has a default that
works on one machine with SQLite (DESIGN §4, "Embedded").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR_DIR = Path("var")


class EvidenceSettings(BaseModel):
    store_dir: Path = Field(VAR_DIR / "files", description="Content-addressed evidence store.")
    max_bytes: int = Field(20 * 1024 * 1024, description="Largest evidence file accepted.")
    allowed_types: tuple[str, ...] = Field(
        (
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "image/jpeg",
            "image/png",
        ),
        description="Media types accepted, checked by content.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="AWARDFLOW_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = Field(
        f"sqlite:///{VAR_DIR / 'awardflow.db'}",
        description="SQLAlchemy URL; SQLite (embedded default) or postgresql+psycopg://…",
    )
    database_echo: bool = Field(False, description="Log every SQL statement.")
    audit_key: str = Field(
        "awardflow-development-audit-key",
        description="Secret for the audit chain's HMAC; set a long random value in production.",
    )
    base_url: str = Field("http://127.0.0.1:8000", description="Links in mails point here.")
    timezone: str = Field("Asia/Ho_Chi_Minh", description="The campaigns' calendar time zone.")
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
