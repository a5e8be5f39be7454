#!/usr/bin/env bash
# Install what slogen needs on a fresh machine: a virtualenv with the package and its dev
# dependencies, and (as root, when missing) Debian's promtool/amtool and friends.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
DEBIAN_PACKAGES="prometheus prometheus-alertmanager"

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v amtool >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${missing[*]} (Debian packages)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: promtool/amtool missing; install the Debian packages: $DEBIAN_PACKAGES" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ] \
    || [ constraints.txt -nt "$VENV/.installed" ]; then
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  # The tested versions (constraints.txt); `make test-latest` tries the newest ones instead.
  "$VENV/bin/python" -m pip install -q -c constraints.txt -e '.[dev]'
  touch "$VENV/.installed"
fi

# Bytecode for slogen's own modules, as pip writes it for an installed package: where
# PYTHONDONTWRITEBYTECODE is set, every run would otherwise compile them again (~0.1 s).
"$VENV/bin/python" -m compileall -q generator >/dev/null
