# WBS bot: `docker compose up -d` (see docker-compose.yml and README, "Deployment").
# Build stage: dependencies and the package in a venv, gettext catalogs compiled.
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY storage storage
COPY locales locales
# editable install: the code finds locales/ next to its packages in /app
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install -e . \
 && /opt/venv/bin/pybabel compile -d locales -D wbs \
 && find /app -name '__pycache__' -prune -exec rm -rf {} +

# Runtime stage: slim, non-root, data and keys in volumes.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    WBS_DATA_DIR=/data \
    WBS_KEY_FILE=/keys/wbs.key \
    WBS_LISTEN_HOST=0.0.0.0 \
    WBS_LISTEN_PORT=8080
RUN groupadd --system --gid 10001 wbs \
 && useradd --system --uid 10001 --gid wbs --home-dir /app --shell /usr/sbin/nologin wbs \
 && mkdir -p /data /keys \
 && chown wbs:wbs /data /keys \
 && chmod 0700 /data /keys
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER wbs
VOLUME ["/data", "/keys"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3).status != 200)"]
STOPSIGNAL SIGTERM
CMD ["wbs", "run"]
