#!/usr/bin/env bash
# Runs wsgrid side by side with its peers on this machine and writes src/bench/RESULTS.md.
# Installs what the peers need (Debian packages, npm modules), builds the jar if needed, then runs
# `java -jar target/wsgrid.jar bench compare` (pass --quick for a 5-minute check of the setup,
# --runs N for more runs). Every server listens on 127.0.0.1 only; every run stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."

need=()
command -v node >/dev/null || need+=(nodejs npm)
command -v redis-server >/dev/null || need+=(redis-server)
command -v haproxy >/dev/null || need+=(haproxy)
if ((${#need[@]})); then
  echo "installing ${need[*]} (Debian packages)…"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
# A redis-server started by the Debian package is not used (the comparison starts its own).
echo "installing the Node.js peers (src/bench/peers, npm ci)…"
(cd src/bench/peers && npm ci --no-audit --no-fund --silent)
if [[ ! -f target/wsgrid.jar ]]; then
  echo "building target/wsgrid.jar…"
  mvn -B -q package -DskipTests
fi
exec java -jar target/wsgrid.jar bench compare "$@"
