#!/usr/bin/env bash
# Installs what the README's two commands need on a fresh machine.
# - The build needs the Rust toolchain and a C compiler (present on this
#   machine kind).
# - The tests need Debian's Chromium (tests/browser.rs renders report.html
#   headless); it is installed when missing.
# - tests/allauth.rs certifies a Django app built on django-allauth; it makes
#   its own virtual environment from tests/targets/allauth/requirements.txt,
#   and needs python3 with venv, installed here from Debian when missing.
# - tests/maildev.rs reads mail from a real MailDev (npm, pinned by
#   tests/targets/maildev/package-lock.json, installed by the test with
#   `npm ci`); it needs Node.js 20 or later and npm, installed here from
#   Debian when missing.
# Set AUTHCONFORM_NO_APT=1 to skip the installs (the tests that need them
# then fail, saying what is missing).
set -euo pipefail
command -v cargo >/dev/null || { echo "cargo is required (rustup.rs)"; exit 1; }
command -v cc >/dev/null || command -v gcc >/dev/null || { echo "a C compiler is required"; exit 1; }

if [ ! -x /usr/bin/chromium ] && [ "${AUTHCONFORM_NO_APT:-0}" != 1 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing Debian's chromium for the report's browser test"
    export DEBIAN_FRONTEND=noninteractive
    # Retried once: a fresh machine's package lists may be stale.
    $sudo apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
        || { $sudo apt-get update -qq && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }
fi

if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && [ "${AUTHCONFORM_NO_APT:-0}" != 1 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing Debian's python3 and python3-venv for the django-allauth test target"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y --no-install-recommends python3 python3-venv >/dev/null 2>&1 \
        || { $sudo apt-get update -qq && $sudo apt-get install -y --no-install-recommends python3 python3-venv >/dev/null; }
fi

if ! command -v npm >/dev/null 2>&1 && [ "${AUTHCONFORM_NO_APT:-0}" != 1 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing Debian's nodejs and npm for the MailDev test"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y --no-install-recommends nodejs npm >/dev/null 2>&1 \
        || { $sudo apt-get update -qq && $sudo apt-get install -y --no-install-recommends nodejs npm >/dev/null; }
fi
