# Build every wheel (ours and the dependencies) in one stage; install them offline in a slim
# image that has no compilers or build tools, and run as a non-root user.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN useradd --create-home --uid 10001 tthc
# The wheels are mounted, not copied: a copied /wheels would stay in a layer even once deleted.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels tthc-bot
WORKDIR /app
COPY knowledge ./knowledge
RUN mkdir data && chown tthc:tthc data
USER tthc
ENV KNOWLEDGE_DIR=/app/knowledge
EXPOSE 8080
# Liveness only (the process serves HTTP); /readyz also checks the database and knowledge.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"]
CMD ["tthc-bot", "serve", "--host", "0.0.0.0", "--port", "8080"]
