# iombot: one image for every adapter (`iombot run telegram`, `iombot run slack`).
FROM python:3.11-slim AS build
WORKDIR /src
RUN python3 -m venv /opt/venv
# Dependencies first, pinned, so that a content or code change reuses this layer.
COPY requirements.lock ./
RUN /opt/venv/bin/pip install --no-cache-dir -r requirements.lock
COPY pyproject.toml README.md ./
COPY src src
COPY core core
COPY bots bots
COPY content content
RUN /opt/venv/bin/pip install --no-cache-dir --no-deps . \
 && /opt/venv/bin/pip uninstall -y -q pip

FROM python:3.11-slim
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin iombot \
 && mkdir /data && chown iombot /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    IOMBOT_DATA_DIR=/data \
    XDG_CACHE_HOME=/data/cache
# The state (SQLite by default), and the content's Japanese readings (core/readings.py): a volume,
# so that a new container keeps what the old one knew.
VOLUME /data
USER iombot
WORKDIR /tmp
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 CMD ["iombot", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["iombot"]
CMD ["run"]
