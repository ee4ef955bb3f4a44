# Production image of the initiative portal.
#
#   docker build -t sangkien-portal .
#   docker run … sangkien-portal              # the web server ($WEB_CONCURRENCY SO_REUSEPORT uvicorn workers)
#   docker run … sangkien-portal migrate      # any `portal` command: migrate, worker, create-admin …
#
# compose.yaml runs it as `migrate` (one-shot), `app` and `worker`.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ENVIRONMENT=production \
    VAR_DIR=/var/lib/portal \
    PORT=8000 \
    WEB_CONCURRENCY=2

WORKDIR /opt/portal

# DejaVu Sans: the weekly report's PDF and the PDF copies of accepted NDAs embed it
# (every Vietnamese diacritic).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

# An unprivileged user owns only the data directory (uploads); the code stays root-owned and read-only.
RUN groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /var/lib/portal --no-create-home \
        --shell /usr/sbin/nologin portal \
 && install -d -o portal -g portal -m 0750 /var/lib/portal /var/lib/portal/uploads

# Dependencies first, from pyproject.toml's [project].dependencies only (no test extra):
# this layer is rebuilt only when the dependencies change, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

# The package itself. It is installed in place (editable) because the app finds
# frontend/ (templates, static files, catalogs), migrations/ and alembic.ini next
# to its source, which a copy into site-packages would leave behind.
COPY . .
RUN pip install --no-deps --editable . \
 && python -m compileall -q app search migrations \
 && chmod 0755 deploy/entrypoint.sh

USER portal
EXPOSE 8000

# Liveness only (/healthz); /readyz also checks the database and search.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/opt/portal/deploy/healthcheck.py"]

ENTRYPOINT ["/opt/portal/deploy/entrypoint.sh"]
CMD ["serve"]
