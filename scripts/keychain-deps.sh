#!/usr/bin/env bash
# The keychain tests (sdk/keychain, cmd/ropc) run against a real Secret Service: gnome-keyring
# on a private D-Bus session bus (dbus-daemon), with secret-tool (libsecret) reading items from
# outside ropc. Installs them when missing and running as root; otherwise those tests fail
# with a message naming the packages. dbus-x11 satisfies gnome-keyring's session-bus dependency
# without pulling in systemd's user session.
set -euo pipefail
missing=()
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus-daemon)
command -v dbus-launch >/dev/null 2>&1 || missing+=(dbus-x11)
command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "keychain-deps: installing ${missing[*]} for the Secret Service tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "keychain-deps: missing ${missing[*]}: the keychain tests will fail (as root: apt-get install -y ${missing[*]})" >&2
fi
