#!/usr/bin/env bash
# Install the declared minimum versions (minor, latest patch) of install_requires (torch stays at the
# CPU build) into a fresh virtual environment and run the public-API smoke.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${FLOORS_VENV:-$(mktemp -d)/venv}"
python3 -m venv "$venv"
# shellcheck disable=SC1091
source "$venv/bin/activate"
python -m pip install --quiet --upgrade pip
floors=$(python - <<'PY'
import configparser
cfg = configparser.ConfigParser()
cfg.read("setup.cfg")
lines = cfg["options"]["install_requires"].split()
# The declared minimum minor version of each, at its latest patch release.
print(" ".join(line.replace(">=", "==") + ".*" for line in lines if not line.startswith("torch")))
PY
)
echo "declared floors: $floors"
# shellcheck disable=SC2086
python -m pip install --quiet torch==2.13.0 $floors
python -m pip install --quiet --no-deps -e .
python scripts/smoke_public_api.py
