#!/usr/bin/env bash
# tests/sources/deps.sh — the Debian packages check-sources needs: redis-server, PostgreSQL's server
# binaries, and the C clients' headers (hiredis, libpq). Installs only what is missing, and leaves
# no server running nor enabled: the tests start their own on loopback and other ports, so a
# machine (CI's) must not keep Debian's default ones on 6379 and 5432.
set -eu
pkgs="redis-server postgresql libhiredis-dev libpq-dev"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then echo "deps-sources: Debian packages present"; else
    echo "deps-sources: installing$missing"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    # invoke-rc.d asks policy-rc.d whether to start a service: 101 says no. Put one in place for
    # the install only, unless the machine has its own.
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
        $SUDO chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    trap '[ -z "$own_policy" ] || $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
# Whatever started them (a machine without policy-rc.d, an earlier install): stop and disable the
# default servers. Each step may find nothing to do.
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
if command -v systemctl >/dev/null; then
    # without a running systemd (a container), disable works offline and --now has nothing to stop
    now=""; [ -d /run/systemd/system ] && now=--now
    $SUDO systemctl disable $now redis-server postgresql >/dev/null 2>&1 || true
fi
if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters -h 2>/dev/null | while read -r ver name port status _; do
        [ "$status" = online ] && $SUDO pg_ctlcluster "$ver" "$name" stop || true
    done
fi
if [ -f /run/redis/redis-server.pid ]; then
    $SUDO kill "$(cat /run/redis/redis-server.pid)" 2>/dev/null || true
fi
exit 0
