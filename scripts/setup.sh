#!/usr/bin/env bash
# Installs what the README's two commands need on a fresh machine.
# The build needs only the Rust toolchain and a C compiler (present on this
# machine kind); no system packages are required yet.
set -euo pipefail
command -v cargo >/dev/null || { echo "cargo is required (rustup.rs)"; exit 1; }
command -v cc >/dev/null || command -v gcc >/dev/null || { echo "a C compiler is required"; exit 1; }
