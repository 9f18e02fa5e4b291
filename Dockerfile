# syntax=docker/dockerfile:1
# One image for every awardflow process: the API (default command), the worker
# (`awardflow worker`), the migrations (`awardflow db upgrade`) and Prefect's server
# (`prefect server start`, same Prefect as uv.lock). docs/deploy.md explains the settings.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: the locked dependencies, then awardflow itself, into /opt/awardflow -------------
FROM ${PYTHON_IMAGE} AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/awardflow
WORKDIR /src
# dependencies first: this layer is rebuilt only when uv.lock or pyproject.toml change
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    uv sync --frozen --no-dev --no-install-project
COPY pyproject.toml uv.lock README.md ./
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# --- runtime ---------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
# WeasyPrint (PDF summaries, documents): Pango and HarfBuzz; fonts with Vietnamese glyphs
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-liberation2 fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 awardflow \
    && useradd --system --uid 10001 --gid awardflow --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin awardflow
COPY --from=build /opt/awardflow /opt/awardflow
WORKDIR /app
# the seed campaigns (`awardflow campaign load campaigns/…`, `awardflow demo load`)
COPY campaigns ./campaigns
# var/: evidence files, submission drops, Prefect's home; volumes are mounted on the first two
RUN mkdir -p var/files var/submissions var/mail var/prefect \
    && chown -R awardflow:awardflow var
ENV PATH=/opt/awardflow/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PREFECT_HOME=/app/var/prefect \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=1 \
    HEALTHCHECK_URL=http://127.0.0.1:8000/api/health
USER 10001:10001
EXPOSE 8000
# HEALTHCHECK_URL per role: the API's /api/health (default), the worker's runner /health
# (PREFECT_RUNNER_SERVER_ENABLE), Prefect's /api/health; see docker-compose.yml
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['HEALTHCHECK_URL'], timeout=4)"]
ENTRYPOINT ["awardflow"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
