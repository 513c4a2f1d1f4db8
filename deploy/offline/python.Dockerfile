# Stand-in of python:3.12-slim: Debian's python3 (3.13 on trixie) with `python` and `pip` on
# PATH; pip installs system-wide (PEP 668's EXTERNALLY-MANAGED removed, as in the real image).
# The build context holds extra CA certificates (*.crt) to trust, e.g. a TLS-inspecting proxy's.
ARG BASE
FROM ${BASE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-pip python-is-python3 ca-certificates \
    && rm -rf /var/lib/apt/lists/* /usr/lib/python3*/EXTERNALLY-MANAGED
COPY . /usr/local/share/ca-certificates/
RUN update-ca-certificates
ENV LANG=C.UTF-8
CMD ["python3"]
