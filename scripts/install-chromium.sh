#!/bin/sh
# Installs Debian's Chromium for the browser tests (test/oracle/): playwright-core drives it via
# executablePath, so no Playwright browser download is needed (CI has no network beyond apt and npm).
# Idempotent: does nothing when /usr/bin/chromium is already there. Must run as root.
set -eu

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# Recommends (fonts, desktop integration) are not needed headless; SwiftShader ships in the package.
apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version 2>/dev/null
