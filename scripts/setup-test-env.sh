#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, from Debian's packages, when
# it is missing: Chromium for Playwright (never `playwright install`: the browser
# download is not reachable) and redis-server (the server starts a private one
# when no Redis answers at REDIS_URL).
set -euo pipefail

missing=()
[ -x "${PLAYWRIGHT_CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "chromium: $("${PLAYWRIGHT_CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null | grep -v unexpected | head -1)"
echo "redis-server: $(redis-server --version | head -1)"
