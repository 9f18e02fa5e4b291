"""One settings object for the whole service, read from the environment (prefix ``AWARDFLOW_``).

Nested sections use a double underscore: ``AWARDFLOW_MAIL__HOST``. Everything has a default that
works on one machine with SQLite (DESIGN §4, "Embedded").
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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


class MailSettings(BaseModel):
    """Outgoing mail (issue 5): which mailer, the SMTP server, retries, digest time."""

    backend: Literal["file", "smtp", "memory"] = Field(
        "file", description="file: .eml files under ``file_dir`` (embedded default); smtp; memory."
    )
    file_dir: Path = Field(VAR_DIR / "mail", description="Where the file mailer writes .eml files.")
    sender: str = Field("awardflow <no-reply@awardflow.local>", description="From: header.")
    message_id_domain: str = Field("awardflow.local", description="Right side of Message-IDs.")
    host: str = Field("127.0.0.1", description="SMTP server.")
    port: int = Field(25, description="SMTP port (587 STARTTLS, 465 SSL).")
    security: Literal["none", "starttls", "ssl"] = Field("none", description="Transport security.")
    username: str | None = Field(None, description="SMTP AUTH user; none: no AUTH.")
    password: str | None = Field(None, description="SMTP AUTH password.")
    timeout_seconds: float = Field(30.0, description="SMTP connect and command timeout.")
    messages_per_second: float = Field(5.0, description="Rate limit per SMTP server; 0: none.")
    max_attempts: int = Field(8, description="Give up on a message after this many attempts.")
    give_up_after_hours: float = Field(48.0, description="…or this long after it was written.")
    retry_base_seconds: float = Field(60.0, description="First retry delay; doubles each time.")
    retry_max_seconds: float = Field(3600.0, description="Longest retry delay.")
    retry_jitter: float = Field(0.25, description="Random extra delay, as a fraction.")
    claim_timeout_minutes: float = Field(
        15.0, description="A 'sending' claim older than this is stale and may be reclaimed."
    )
    digest_hour: int = Field(7, ge=0, le=23, description="Local hour of the daily digest.")


class FlowSettings(BaseModel):
    """Schedules of the Prefect deployments (issue 4) and the submission gateway."""

    assign_every_seconds: int = Field(60, description="Auto-assignment interval.")
    deliver_every_seconds: int = Field(60, description="Notification delivery interval.")
    sweep_every_minutes: int = Field(15, ge=1, le=59, description="Deadline sweep interval.")
    submit_every_minutes: int = Field(30, ge=1, le=59, description="Submission batching interval.")
    close_at: str = Field("23:50", description="Local time rounds and phases close on their day.")
    gateway: Literal["file", "http"] = Field(
        "file", description="How packages reach the authority."
    )
    gateway_folder: Path = Field(VAR_DIR / "submissions", description="File-drop gateway folder.")
    gateway_url: str | None = Field(None, description="HTTP gateway endpoint (POST, JSON).")
    prefect_port: int = Field(4200, description="Port of the embedded Prefect server.")
    api_port: int = Field(8000, description="Port of the API started by ``awardflow up``.")


class ApiSettings(BaseModel):
    """The HTTP API (issue 6): tokens, login rate limits, CORS."""

    jwt_secret: str = Field(
        "awardflow-development-jwt-secret-change-me",
        description="HS256 secret for access and refresh tokens; set a long random value.",
    )
    access_token_minutes: int = Field(15, ge=1, description="Lifetime of an access token.")
    refresh_token_days: int = Field(7, ge=1, description="Lifetime of a refresh token.")
    login_attempts_per_user: int = Field(
        5, ge=1, description="Login attempts per user name within the window."
    )
    login_attempts_per_address: int = Field(
        20, ge=1, description="Login attempts per client address within the window."
    )
    login_window_seconds: int = Field(60, ge=1, description="Rate-limit window for logins.")
    cors_origins: tuple[str, ...] = Field((), description="Allowed CORS origins; empty: off.")
    actor_cache_seconds: float = Field(
        5.0, ge=0, description="Reuse a caller's grants this long (a revocation waits this long)."
    )


class WebSettings(BaseModel):
    """The web pages (issue 7): the session cookie and the development pages."""

    secret_key: str = Field(
        "awardflow-development-web-secret-change-me",
        description="Signs the session cookie (itsdangerous); set a long random value.",
    )
    session_max_age_minutes: int = Field(
        480, ge=1, description="A session cookie older than this is refused (log in again)."
    )
    secure_cookies: bool = Field(
        True,
        description="Mark the session cookie Secure (browsers still send it to http://127.0.0.1 "
        "and http://localhost); turn off only to serve plain HTTP on another host name.",
    )
    dev_pages: bool | None = Field(
        None,
        description="Serve /dev/mail (the file mailer's messages). None: on when ``base_url`` "
        "is a loopback address (a development machine, ``awardflow up``), off otherwise.",
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
    mail: MailSettings = Field(default_factory=MailSettings)
    flows: FlowSettings = Field(default_factory=FlowSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    web: WebSettings = Field(default_factory=WebSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own ``Settings`` instead."""
    return Settings()
