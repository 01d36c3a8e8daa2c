# One image for every Kiln process (web, worker, scheduler); the command picks which.
FROM python:3.11-slim-bookworm AS base
ENV PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_COMPILE_BYTECODE=1 \
    KILN_DATA_DIR=/data KILN_HOST=0.0.0.0 PATH=/app/.venv/bin:$PATH
WORKDIR /app
# pasta (passt) gives `internet` jobs a filtered network; ip (iproute2) fences it (sandboxes/README.md).
RUN apt-get update && apt-get install -y --no-install-recommends passt iproute2 \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.9

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN uv sync --frozen --no-dev \
 && cd frontend && npm ci --no-audit --no-fund && npm run build && rm -rf node_modules

VOLUME /data
EXPOSE 8000
ENTRYPOINT ["kiln"]
CMD ["up", "--host", "0.0.0.0"]
