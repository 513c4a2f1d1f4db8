# Build a wheel in one stage; install it in a slim image without build tools, as a non-root user.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 tthc
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
WORKDIR /app
COPY knowledge ./knowledge
USER tthc
ENV KNOWLEDGE_DIR=/app/knowledge
CMD ["tthc-bot", "chat"]
