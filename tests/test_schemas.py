import subprocess
import sys

from conftest import ROOT


def test_checked_in_schemas_are_current():
    run = subprocess.run([sys.executable, "-m", "patroon", "schemas", "--check"], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
