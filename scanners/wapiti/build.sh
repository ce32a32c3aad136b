#!/usr/bin/env bash
# Builds the Wapiti scanner image from Debian's `wapiti` package.
#
#   bash scanners/wapiti/build.sh [--rebuild] [TAG]     (TAG also from SECOPS_WAPITI_IMAGE)
#
# Where the base image is present or pullable: `docker build` of the Dockerfile beside this
# script. Otherwise (air-gapped, no registry): debootstrap a minimal bookworm with wapiti from
# the mirror this machine's apt already uses, and `docker import` it with the same user, work
# dir and entrypoint as the Dockerfile. An existing image is kept unless --rebuild is given.
set -euo pipefail

SUITE=bookworm
BASE_IMAGE=debian:bookworm-slim
SCANNER_UID=10001
# Wapiti 3.0.4 constructs every module on start, and mod_wapp then downloads Wappalyzer's
# database from GitHub unless its config dir holds one: an egress beyond the target. Scans
# pass --store-config /etc/wapiti, where this empty database stops that.
EMPTY_WAPP_DB='{"technologies": {}, "categories": {}}'
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

step() { echo "==> $*"; }
die() {
  echo "build.sh: error: $*" >&2
  exit 1
}

rebuild=0
tag="${SECOPS_WAPITI_IMAGE:-secops-flow/wapiti:latest}"
for arg in "$@"; do
  case "$arg" in
    --rebuild) rebuild=1 ;;
    -h | --help)
      sed -n 2,9p "$0"
      exit 0
      ;;
    -*) die "unknown option $arg (usage: build.sh [--rebuild] [TAG])" ;;
    *) tag="$arg" ;;
  esac
done

# Prints "URI SUITE..." for each enabled binary source in a one-line-style .list file.
list_sources() {
  awk '
    { sub(/#.*/, ""); gsub(/\[[^]]*\]/, "") }
    $1 == "deb" && NF >= 3 { print $2, $3 }
  ' "$1"
}

# Same for a deb822 .sources file: paragraphs of Types/URIs/Suites/Enabled fields.
deb822_sources() {
  awk '
    function flush(  n, i, u) {
      if ((" " f["types"] " ") ~ / deb / && tolower(f["enabled"]) !~ /no/) {
        n = split(f["uris"], u, " ")
        for (i = 1; i <= n; i++) print u[i], f["suites"]
      }
      delete f
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[ \t]/ { f[key] = f[key] " " $0; next }
    /^[A-Za-z-]+:/ { key = tolower(substr($0, 1, index($0, ":") - 1)); f[key] = substr($0, index($0, ":") + 1); next }
    END { flush() }
  ' "$1"
}

# The Debian mirror from this machine's apt sources: one that lists the suite, else the first
# that is not a security archive (those hold only updates, not the base suite).
apt_mirror() {
  local file sources
  sources="$(
    [[ -f /etc/apt/sources.list ]] && list_sources /etc/apt/sources.list
    for file in /etc/apt/sources.list.d/*.list; do [[ -f "$file" ]] && list_sources "$file"; done
    for file in /etc/apt/sources.list.d/*.sources; do [[ -f "$file" ]] && deb822_sources "$file"; done
    true
  )"
  sources="$(grep -E '^(https?|file):' <<<"$sources" || true)"
  awk -v suite="$SUITE" '{ for (i = 2; i <= NF; i++) if ($i == suite) { print $1; exit } }' <<<"$sources" | grep . ||
    awk '$0 !~ /-security/ { print $1; exit }' <<<"$sources"
}

ensure_debootstrap() {
  command -v debootstrap >/dev/null && return
  step "installing debootstrap (apt-get)"
  apt-get install -y --no-install-recommends debootstrap >/dev/null 2>&1 ||
    { apt-get update >/dev/null && apt-get install -y --no-install-recommends debootstrap >/dev/null; } ||
    die "could not install debootstrap with apt-get; install it and run again"
}

root=""
cleanup() {
  [[ -n "$root" && -d "$root" ]] || return 0
  # debootstrap mounts proc/sys inside the target; a failed run can leave them mounted.
  grep -o " $root/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT

build_with_docker() {
  local network=()
  # An engine started with --bridge=none has no default network for RUN steps.
  docker network inspect bridge >/dev/null 2>&1 || network=(--network host)
  step "docker build ${network[*]} -t $tag $HERE"
  docker build "${network[@]}" -t "$tag" "$HERE" || die "docker build failed"
}

build_offline() {
  [[ "$(id -u)" == 0 ]] || die "the offline build needs root (debootstrap, chroot): run it with sudo"
  ensure_debootstrap
  local mirror="${SECOPS_DEBIAN_MIRROR:-$(apt_mirror)}"
  [[ -n "$mirror" ]] || die "no Debian mirror in /etc/apt/sources.list(.d); set SECOPS_DEBIAN_MIRROR"
  root="$(mktemp -d "${TMPDIR:-/var/tmp}/secops-wapiti.XXXXXX")"
  local log="$root.log"

  step "debootstrap --variant=minbase --include=wapiti $SUITE from $mirror (about a minute)"
  if ! debootstrap --variant=minbase --include=wapiti "$SUITE" "$root/fs" "$mirror" >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "debootstrap failed (full log: $log)"
  fi
  rm -f "$log"
  local fs="$root/fs"
  if grep -q " $fs/" /proc/mounts; then die "debootstrap left file systems mounted under $fs"; fi

  local version
  version="$(chroot "$fs" dpkg-query -W -f='${Version}' wapiti)"
  step "adding user scanner ($SCANNER_UID) and /wrk; stripping apt caches, docs and locales"
  chroot "$fs" useradd --uid "$SCANNER_UID" --user-group --home-dir /tmp --no-create-home --shell /usr/sbin/nologin scanner
  install -d -o "$SCANNER_UID" -g "$SCANNER_UID" -m 0755 "$fs/wrk"
  install -d "$fs/etc/wapiti"
  echo "$EMPTY_WAPP_DB" >"$fs/etc/wapiti/apps.json"
  rm -rf "$fs"/var/cache/apt/* "$fs"/var/lib/apt/lists/* "$fs"/var/log/* \
    "$fs"/usr/share/doc/* "$fs"/usr/share/man/* "$fs"/usr/share/info/* "$fs"/usr/share/locale/* "$fs"/dev/*

  step "docker import as $tag (wapiti $version)"
  tar -C "$fs" --numeric-owner -c . | docker import \
    --change 'ENTRYPOINT ["wapiti"]' \
    --change "USER $SCANNER_UID" \
    --change 'WORKDIR /wrk' \
    --change 'ENV HOME=/tmp' \
    --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL org.opencontainers.image.version=$version" \
    --message "debootstrap $SUITE + wapiti $version" \
    - "$tag" >/dev/null || die "docker import failed"
}

docker info >/dev/null 2>&1 || die "Docker Engine not reachable (${DOCKER_HOST:-unix:///var/run/docker.sock}): start dockerd or set DOCKER_HOST"

previous="$(docker image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)"
if [[ -n "$previous" && "$rebuild" == 0 ]]; then
  step "$tag already present (${previous:7:12}); pass --rebuild to build it again"
  exit 0
fi

started=$SECONDS
step "checking for base image $BASE_IMAGE"
if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || timeout 60 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
  build_with_docker
else
  step "$BASE_IMAGE cannot be pulled (no registry): building offline from the apt mirror"
  build_offline
fi

step "checking the image: wapiti --version"
docker run --rm --network none "$tag" --version 2>/dev/null | grep -q '^Wapiti' || die "$tag does not run wapiti --version"

current="$(docker image inspect -f '{{.Id}}' "$tag")"
if [[ -n "$previous" && "$previous" != "$current" ]]; then
  docker image rm "$previous" >/dev/null 2>&1 || true
fi
size="$(docker image inspect -f '{{.Size}}' "$tag")"
step "built $tag (${current:7:12}, $((size / 1024 / 1024)) MB) in $((SECONDS - started)) s"
