#!/usr/bin/env bash
# qrveil studio in a real browser (tests/studio/browser.py): Debian's chromium through its
# WebDriver, chromedriver, on 127.0.0.1. Fails when a preview fails, when zbar cannot read the
# downloaded PNG, or when the CLI draws the exported style document differently.
#
# Needs: chromium and chromium-driver (Debian), python3 with selenium, pyzbar and Pillow.
# Usage: tests/studio-browser.sh [--screenshot PATH]   (README's screenshot: docs/studio.png)
set -euo pipefail
cd "$(dirname "$0")/.."

for need in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$need" ] || { echo "studio-browser: $need is missing (apt-get install chromium chromium-driver)" >&2; exit 2; }
done
python3 -c 'import selenium, pyzbar.pyzbar, PIL' 2>/dev/null \
  || { echo "studio-browser: python selenium, pyzbar or Pillow is missing (pip install selenium pyzbar pillow)" >&2; exit 2; }

# The debug build `cargo test` made: the studio's previews run its optimised dependencies.
cargo build --quiet --locked -p qrveil-cli
python3 tests/studio/browser.py target/debug/qrveil "$@"
