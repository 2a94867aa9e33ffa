#!/usr/bin/env bash
# Debian packages the libraries need, installed when missing (as root, or with passwordless sudo):
#   Pango for WeasyPrint's letters; Noto fonts so letters and public pages render Chinese, Vietnamese, Tagalog and
#   Spanish (fonts-noto-cjk) and the taglines' other scripts (fonts-noto-core); with --browser, Debian's Chromium
#   for the browser tests, and libfaketime for the README tour's test (tests/tour). Anything that cannot be installed is reported; the caller decides whether that is fatal.
set -uo pipefail
want=()
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || want+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list :lang=zh 2>/dev/null | grep -q . || want+=(fonts-noto-cjk)
fc-list :lang=km 2>/dev/null | grep -q . || want+=(fonts-noto-core)
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then want+=(chromium); fi
if [ "${1:-}" = "--browser" ] && ! command -v faketime >/dev/null; then want+=(faketime); fi
[ ${#want[@]} -eq 0 ] && exit 0
command -v apt-get >/dev/null || { echo "Missing system packages (${want[*]}) and no apt-get to install them." >&2; exit 1; }
echo "Installing Debian packages: ${want[*]}"
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
elif command -v sudo >/dev/null; then
  # -n: never stop to ask for a password; without passwordless sudo the install fails and says so.
  sudo -n apt-get update -qq && sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
else
  false
fi || { echo "Could not install ${want[*]}: run  sudo apt-get install ${want[*]}" >&2; exit 1; }
