# The portal's image: web (gunicorn), Celery worker and beat all run from it.
# Build: docker build -t prm .   Run the stack: docker compose up
FROM python:3.13-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=prm.settings.production

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir -p prm partners deals enablement incentives \
    && touch prm/__init__.py partners/__init__.py deals/__init__.py \
       enablement/__init__.py incentives/__init__.py \
    && pip install . \
    && pip uninstall -y prm

COPY . .
# Static files are collected at build time; the settings need *some* URLs to import
# (nothing connects during collectstatic).
RUN pip install --no-deps . \
    && groupadd --system prm && useradd --system --gid prm --home-dir /app prm \
    && mkdir -p var/media var/staticfiles \
    && SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
       REDIS_URL=redis://localhost:6379/0 python manage.py collectstatic --noinput \
    && chown -R prm:prm var

USER prm
EXPOSE 8000
CMD ["gunicorn", "prm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*"]
