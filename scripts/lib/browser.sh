# shellcheck shell=bash
# browser_ensure: Debian's Chromium (and a CJK font for screenshots) for the browser tests.
browser_ensure() {
  if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "WenQuanYi"; then return 0; fi
  if [ "$(id -u)" != 0 ]; then echo "WARNING: chromium missing and not root" >&2; return 1; fi
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    chromium fonts-wqy-microhei >/dev/null) || { echo "WARNING: could not install chromium" >&2; return 1; }
}
