#!/usr/bin/env bash
# CI: what tests/test_slurm.py needs, so that it runs instead of skipping: Debian's SLURM and munge
# packages (the test starts and stops the daemons itself) and the `[slurm]` extra in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi
make slurm-extra
