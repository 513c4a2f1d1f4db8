#!/bin/sh
# Builds stand-ins of the three base images (python:3.12-slim, postgres:16, caddy:2) from Debian
# packages, for machines without Docker Hub (e.g. an air-gapped provincial network with a Debian
# mirror and a PyPI mirror). Not used on a normal machine: there `docker compose` pulls the real
# images. The stand-ins carry Debian's versions (trixie: Python 3.13, PostgreSQL 17, Caddy 2.6).
#
#   sudo deploy/offline-images.sh        # needs debootstrap; then: docker compose up -d
#
# SUITE (trixie) and MIRROR (http://deb.debian.org/debian) choose the Debian release and mirror;
# the CA certificates in CA_DIR (/usr/local/share/ca-certificates) are trusted by the Python
# stand-in, so `pip` in `docker compose build` works behind a TLS-inspecting proxy as well.
set -eu
SUITE=${SUITE:-trixie}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CA_DIR=${CA_DIR:-/usr/local/share/ca-certificates}
offline=$(cd "$(dirname "$0")/offline" && pwd)
base=debian-local:$SUITE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! docker image inspect "$base" >/dev/null 2>&1; then
    debootstrap --variant=minbase "$SUITE" "$tmp/rootfs" "$MIRROR"
    tar -C "$tmp/rootfs" -c . | docker import - "$base"
fi

mkdir "$tmp/ca"
find "$CA_DIR" -name '*.crt' -exec cp {} "$tmp/ca/" \; 2>/dev/null || true
export DOCKER_BUILDKIT=0  # the classic builder: no buildx plugin needed
docker build --build-arg BASE="$base" -t python:3.12-slim -f "$offline/python.Dockerfile" "$tmp/ca"
docker build --build-arg BASE="$base" -t postgres:16 -f "$offline/postgres.Dockerfile" "$offline"
docker build --build-arg BASE="$base" -t caddy:2 -f "$offline/caddy.Dockerfile" "$offline"
