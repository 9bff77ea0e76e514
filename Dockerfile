# The Improve app image: gunicorn for the web, the same image for the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
COPY static/scss static/scss
RUN node scripts/build-assets.mjs

FROM python:3.13-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY . .
COPY --from=assets /app/static/build static/build
ENV MEDIA_ROOT=/var/lib/improve/media STATIC_ROOT=/app/staticfiles
# Static files are collected at build time, as root: the app code stays read-only at run time.
RUN SECRET_KEY=build-only-secret-key-not-used-at-runtime-0123456789abcdefghijkl python manage.py collectstatic --no-input
# Only the uploads volume is writable by the app's own unprivileged user.
RUN useradd --system --uid 1000 improve && mkdir -p /var/lib/improve/media && chown -R improve /var/lib/improve
USER improve
EXPOSE 8000
# The app logs one JSON line per request (with its X-Request-ID), so gunicorn's own access log is off.
CMD ["gunicorn", "medway_improve.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--worker-class", "gthread", "--timeout", "60"]
