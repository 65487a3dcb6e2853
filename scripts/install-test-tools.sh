#!/usr/bin/env bash
# Installs the third-party tools the tests check our output against, when they are missing:
# DCMTK, dicom3tools, Debian's pydicom (with its test corpus), tshark (third-party PDU decoder),
# socat, dosfstools + mtools (FAT16/FAT32 media images without mounting). Needs root on a fresh
# machine; `apt-get update` runs once, and only if something is
# missing, so a machine that has everything pays nothing.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have dcmdump      || need+=(dcmtk)
have dciodvfy     || need+=(dicom3tools)
have tshark       || need+=(tshark)
have socat        || need+=(socat)
[ -x /usr/sbin/Orthanc ] || need+=(orthanc)  # second, independent DICOM peer (network tests)
have openssl      || need+=(openssl)    # test certificates for DICOM TLS
have ffmpeg       || need+=(ffmpeg)
have mkfs.fat     || need+=(dosfstools)
have mcopy        || need+=(mtools)
[ -d /usr/lib/python3/dist-packages/pydicom/data/test_files ] || need+=(python3-pydicom)
# Only recommended by python3-pydicom, so --no-install-recommends leaves them out: numpy for
# pixel checks, Pillow as an independent JPEG codec; GNU time for the benchmarks' peak RSS.
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need+=(python3-pil)
[ -x /usr/bin/time ] || need+=(time)
# systemd units (systemd/): systemd-analyze verify/security and systemd-notify come with the
# systemd package; verify needs every ExecStart binary to exist, so the kiosk's cage and chromium.
have systemd-analyze || need+=(systemd)
have cage         || need+=(cage)
have chromium     || need+=(chromium)
have gcc          || need+=(gcc libc6-dev)  # bench/service-send.ts compiles the TCP_NODELAY shim for storescp
# CJK glyphs for the kiosk: Japanese and Chinese names must never render as missing-glyph boxes.
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji)  # worklist texts may hold emoji

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "install-test-tools: installing ${need[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; the tests only decode files.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
# Packages with a daemon (orthanc) must not start it system-wide: the tests start their own
# peers on free loopback ports and stop them by PID.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
