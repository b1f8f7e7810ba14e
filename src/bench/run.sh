#!/usr/bin/env bash
# Runs wsgrid side by side with its peers on this machine and writes src/bench/RESULTS.md.
# Installs what the peers need (Debian packages, npm modules), builds the product jar and the
# comparison harness (src/bench/java, compiled into target/bench-classes, not part of the jar),
# then runs the harness with the jar on its class path. Options go to the harness: --quick (a
# few minutes, checks the setup), --runs N, --only single,idle,cpu,small,state,cluster,edge,balance
# (and million, which only --only runs), --out FILE, --jvm-flags "…", --help for all. Every
# server listens on 127.0.0.1 only; every run stops by itself.
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
# The README's build command; it compiles the harness too (the tests are compiled, not run).
echo "building target/wsgrid.jar and the harness (target/bench-classes)…"
mvn -B -q package -DskipTests
exec java -cp target/wsgrid.jar:target/bench-classes io.wsgrid.compare.CompareCommand "$@"
