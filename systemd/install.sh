#!/usr/bin/env bash
# Puts sonicart's system files onto a cart (Debian 12), or into a staging root for packaging:
#
#   sudo systemd/install.sh                 install, create users and directories, enable, start
#   systemd/install.sh --root /tmp/stage    only copy the files under /tmp/stage (no apt, no systemctl)
#   … --units-only                          leave the application out (units, rules, users only)
#
# The application itself goes to /opt/sonicart (this checkout, copied with its node_modules
# built for the cart: run `npm ci --omit=dev` on the cart or an identical machine first).
set -euo pipefail

root=""
units_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) [ $# -ge 2 ] || { echo "install.sh: --root needs a directory" >&2; exit 2; }; root="$2"; shift 2 ;;
    --units-only) units_only=1; shift ;;
    *) echo "usage: $0 [--root DIR] [--units-only]" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "$0")" && pwd)"
app="$(cd "$here/.." && pwd)"

put() { # put MODE SOURCE DEST
  install -D -m "$1" "$2" "$root$3"
}

if [ -z "$root" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (or with --root DIR)" >&2; exit 2; }
  # Node 20+, the kiosk (cage + Chromium), CJK fonts for the Japanese and Chinese UI, udev/polkit.
  apt-get install -y --no-install-recommends nodejs chromium cage fonts-noto-cjk polkitd udev
  node -e 'if (+process.versions.node.split(".")[0] < 20) { console.error("Node >= 20 needed"); process.exit(1) }'
fi

# the application
if [ "$units_only" -eq 0 ] && [ "$app" != "$root/opt/sonicart" ]; then
  mkdir -p "$root/opt/sonicart"
  cp -a "$app/bin" "$app/device" "$app/dicom" "$app/hw-sim" "$app/package.json" "$app/package-lock.json" "$root/opt/sonicart/"
  [ -d "$app/ui-kiosk" ] && cp -a "$app/ui-kiosk" "$root/opt/sonicart/"
  [ -d "$app/dist" ] && cp -a "$app/dist" "$root/opt/sonicart/"
  [ -d "$app/node_modules" ] && cp -a "$app/node_modules" "$root/opt/sonicart/"
  mkdir -p "$root/opt/sonicart/systemd" && cp -a "$here/README.md" "$root/opt/sonicart/systemd/"
fi

# units and their companions
put 0644 "$here/sonicart.service"          /etc/systemd/system/sonicart.service
put 0644 "$here/sonicart-kiosk.service"    /etc/systemd/system/sonicart-kiosk.service
put 0644 "$here/sonicart.sysusers.conf"    /usr/lib/sysusers.d/sonicart.conf
put 0644 "$here/sonicart.tmpfiles.conf"    /usr/lib/tmpfiles.d/sonicart.conf
put 0644 "$here/99-sonicart-media.rules"   /etc/udev/rules.d/99-sonicart-media.rules
put 0644 "$here/99-sonicart-panel.rules"   /etc/udev/rules.d/99-sonicart-panel.rules
put 0644 "$here/50-sonicart-media.rules"   /etc/polkit-1/rules.d/50-sonicart-media.rules
# the kiosk's URL; kept if the cart already has one
if [ ! -e "$root/etc/sonicart/kiosk.env" ]; then
  mkdir -p "$root/etc/sonicart"
  printf 'SONICART_URL=http://127.0.0.1:8042/\n' > "$root/etc/sonicart/kiosk.env"
  chmod 0644 "$root/etc/sonicart/kiosk.env"
fi

# the service's configuration (real grabber, panel on its udev name, Linux media); kept if the
# cart already has one. 0640: it holds the service PIN, readable by the service's group only.
if [ ! -e "$root/etc/sonicart/config.json" ]; then
  put 0640 "$here/config.json" /etc/sonicart/config.json
fi

if [ -n "$root" ]; then
  echo "install.sh: files staged under $root"
  exit 0
fi

systemd-sysusers sonicart.conf
chgrp sonicart /etc/sonicart/config.json
systemd-tmpfiles --create sonicart.conf
udevadm control --reload
systemctl daemon-reload
systemctl enable --now sonicart.service
# the kiosk replaces the login prompt on tty1
systemctl disable getty@tty1.service || true
systemctl enable --now sonicart-kiosk.service
systemctl --no-pager status sonicart.service sonicart-kiosk.service || true
