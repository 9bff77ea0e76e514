#!/usr/bin/env bash
# Installs the system packages the app and its tests need, if they are missing:
# WeasyPrint's libraries, poppler (pdftoppm) and Debian's Chromium for browser tests.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
ldconfig -p | grep -q libpango-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "Installing system packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
