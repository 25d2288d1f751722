#!/usr/bin/env bash
# Installs what kiln needs on a Debian machine, then its npm packages, and
# builds it. Safe to run again: it installs only what is missing.
# Run as root (or with sudo available) from anywhere in the repository.
set -euo pipefail

cd "$(dirname "$0")/.."

# Debian package -> a file it installs, to tell whether it is present.
declare -A packages=(
  [nats-server]=/usr/sbin/nats-server
  [docker-registry]=/usr/bin/docker-registry
  [buildah]=/usr/bin/buildah
  [busybox-static]=/bin/busybox
  [git]=/usr/bin/git
  [apache2-utils]=/usr/bin/htpasswd
  [ca-certificates]=/etc/ssl/certs/ca-certificates.crt
  [prometheus]=/usr/bin/promtool
  [chromium]=/usr/bin/chromium
  [openssl]=/usr/bin/openssl
)

missing=()
for package in "${!packages[@]}"; do
  if [[ ! -e "${packages[$package]}" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then
  echo "setup: kiln needs Node.js 20.19 or newer; found $(node --version 2>/dev/null || echo none)" >&2
  exit 1
fi

echo "setup: installing npm packages"
npm ci --no-audit --no-fund

echo "setup: building"
npm run build

# npm links package binaries only when their files exist, and the build
# made them just now: link kiln, kiln-manager and kiln-delegate into
# node_modules/.bin.
npm rebuild --ignore-scripts --no-audit --no-fund >/dev/null

# A nats-server config in which the manager and each delegate log in as
# separate users and delegates may publish only logs and events. Written
# once; delete the folder to get new passwords.
nats_dir="${KILN_NATS_CONFIG_DIR:-/etc/kiln/nats}"
if [[ ! -e "$nats_dir/nats.conf" ]]; then
  node scripts/nats-config.mjs --out "$nats_dir/nats.conf" --secrets-dir "$nats_dir/secrets" \
    --store-dir /var/lib/kiln/nats --delegate local-1
  echo "setup: wrote $nats_dir/nats.conf; start it with: nats-server -c $nats_dir/nats.conf"
fi
