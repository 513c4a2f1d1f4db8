# Stand-in of caddy:2: Debian's caddy, with the official image's paths (/etc/caddy/Caddyfile,
# certificates under /data, configuration under /config) and command.
ARG BASE
FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends caddy ca-certificates \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /config /data /srv
ENV XDG_CONFIG_HOME=/config \
    XDG_DATA_HOME=/data
EXPOSE 80 443 2019
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
