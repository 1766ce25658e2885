# The dashboard in a container: Python 3.11, Chromium and fonts for chart images and
# meeting packs, a non-root user, the data in the /data volume. docs/DEPLOY.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROGRESS_DB=/data/progress.duckdb \
    BROWSER_PATH=/usr/bin/chromium

RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core fontconfig \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /home/progress --uid 10001 progress \
    && mkdir /data && chown progress:progress /data

WORKDIR /app
# Runtime requirements only (the tests' tools stay out of the image).
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .

USER progress
VOLUME ["/data"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).read() != b'ok')"]
# 0.0.0.0 inside the container; compose.yaml publishes it on the host's 127.0.0.1 only.
CMD ["python", "-m", "streamlit", "run", "server.py", "--server.address", "0.0.0.0", \
     "--server.port", "8501", "--server.headless", "true"]
