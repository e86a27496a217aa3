# Mbashe Service Desk: one image for web (gunicorn), worker and beat (celery). See docs/operations.md.
FROM python:3.11-slim

ENV DJANGO_SETTINGS_MODULE=servicedesk.settings \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (the ManCo PDF report) needs Pango, HarfBuzz's subsetter and a font; no compilers needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# A home of its own: gunicorn puts its control socket in $HOME/.gunicorn, and /app is not writable.
RUN groupadd --system --gid 1000 servicedesk \
    && useradd --system --uid 1000 --gid servicedesk --create-home --home-dir /home/servicedesk \
        --shell /usr/sbin/nologin servicedesk

WORKDIR /app

# Dependencies first, pinned by constraints.txt, in their own layer: a code change does not reinstall them.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The whole source tree: the top-level templates/ and static/ and each app's templates are found through
# BASE_DIR (/app), so the code runs from here. A plain `pip install .` wheel would leave them out;
# the editable install only registers the packages and their metadata.
COPY . .
RUN pip install -c constraints.txt --no-deps -e . \
    && mkdir -p /app/var/static /app/var/media /app/var/celery \
    && chown -R servicedesk:servicedesk /app/var

# The code stays owned by root and read-only to the app; only /app/var (static, media, beat's schedule)
# is writable. Named volumes mounted there start with this ownership.
USER servicedesk

EXPOSE 8000
CMD ["gunicorn", "servicedesk.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm"]
