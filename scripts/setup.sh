#!/usr/bin/env bash
# Installs what Siskin's tests and demo need on a fresh Debian/Ubuntu machine:
# Debian's nats-server, prometheus, prometheus-alertmanager, chromium (the dashboard's browser tests)
# and docker-compose (to check the compose file), then the npm dependencies. Elsewhere it says what to install by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || need+=(nats-server)
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || need+=(prometheus-alertmanager)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# The dashboard's browser tests drive Debian's chromium with playwright-core (never a downloaded browser).
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
command -v kubectl >/dev/null 2>&1 || echo "setup: kubectl is not installed; the cluster-simulator tests that drive kubectl need it (https://kubernetes.io/docs/tasks/tools/)." >&2

if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing ${need[*]} with apt-get" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} (nats-server >= 2.9 with JetStream, prometheus >= 2.40," >&2
    echo "       alertmanager >= 0.25, chromium, docker-compose) with your package manager, then run this again." >&2
    exit 1
  fi
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("setup: Node >= 20.19 is required, found "+process.versions.node); process.exit(1) }'
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
