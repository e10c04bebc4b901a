# Abaila API: one `abaila serve` process per container; scale out with more containers (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ABAILA_LISTS_DIR=/app/blocklists \
    ABAILA_VAR_DIR=/var/lib/abaila

WORKDIR /app
# Only what runs: the package, its bundled lists, and what pip needs to install it.
COPY pyproject.toml README.md ./
COPY service ./service
COPY blocklists ./blocklists
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /var/lib/abaila --create-home abaila

USER abaila
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=3)"]
CMD ["abaila", "serve", "--host", "0.0.0.0", "--port", "8080"]
