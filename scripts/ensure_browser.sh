#!/usr/bin/env bash
# Make sure Debian's Chromium is there for the browser tests (tests/test_browser.py).
# Installs it with apt-get when missing and we are root; otherwise prints a LOUD reason and exits 0,
# so that `make test` goes on and the browser tests skip with the same reason on their own banner.
# Never downloads a browser build of its own (Playwright's `playwright install` is not used).
set -uo pipefail

CHROMIUM=/usr/bin/chromium

loud() {
  local bar
  bar=$(printf '!%.0s' {1..100})
  printf '\n%s\n!! BROWSER TESTS WILL BE SKIPPED: %s\n%s\n\n' "$bar" "$1" "$bar" >&2
}

# chromium drives the tests; the emoji font only makes the screenshots show emoji instead of boxes.
missing=()
for pkg in chromium fonts-noto-color-emoji; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 && -x "$CHROMIUM" ]]; then
  exit 0
fi
if [[ -x "$CHROMIUM" && "$(id -u)" != "0" ]]; then
  exit 0  # only the font is missing: not worth a warning
fi
if [[ "$(id -u)" != "0" ]]; then
  loud "$CHROMIUM is missing and we are not root: run 'sudo apt-get install chromium' once."
  exit 0
fi
if ! command -v apt-get > /dev/null; then
  loud "$CHROMIUM is missing and this is not a Debian/Ubuntu system (no apt-get): install Chromium at $CHROMIUM."
  exit 0
fi
echo "== installing ${missing[*]} for the browser tests (apt-get, once)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > /tmp/ensure_browser.log 2>&1; then
  tail -5 /tmp/ensure_browser.log >&2
  loud "apt-get could not install chromium (log: /tmp/ensure_browser.log)."
  exit 0
fi
"$CHROMIUM" --version >&2 || loud "chromium installed but does not start."
