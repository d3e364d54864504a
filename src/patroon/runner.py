"""`patroon build`: run the Snakemake workflow with a progress bar, then say what was rebuilt and where.

Snakemake stays the engine (it decides what is stale); this only reads its progress lines
("3 of 22 steps (14%) done") and, afterwards, the render logs of the jobs that ran in this build.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

STEPS = re.compile(r"^(\d+) of (\d+) steps")
RENDERED = re.compile(r"^(?P<study>[a-z0-9-]+): rendered (?P<n>\d+) of (?P<total>\d+) reports")
UP_TO_DATE = re.compile(r"^(?P<study>[a-z0-9-]+): all (?P<total>\d+) reports up to date")


def summary(root: Path, since: float) -> list[str]:
    """One line per study whose render job ran in this build (its log is newer than the start)."""
    lines = []
    for log in sorted((root / "logs").glob("*/reports*.log")):
        if log.stat().st_mtime < since:
            continue
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if (match := RENDERED.match(line)) or (match := UP_TO_DATE.match(line)):
                lines.append(line.strip())
            elif line.startswith("rendered: "):
                lines.append("  " + line.strip())
    return lines


def build(root: Path, cores: int = 2, extra: list[str] | None = None, stream=sys.stderr,
          snakefile: Path | None = None) -> int:
    snakefile = snakefile or root / "Snakefile"
    if not snakefile.exists():
        print(f"error: no Snakefile in {root}; run patroon build from the project folder", file=stream)
        return 2
    # The settings of workflow/profiles/default, spelled out so a build works from any folder.
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--cores", str(cores),
               "--rerun-incomplete", *(extra or [])]
    start = time.time()
    output: list[str] = []
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        with tqdm(total=1, unit="step", file=stream, disable=None, desc="patroon") as bar:
            for line in process.stdout:
                output.append(line)
                if match := STEPS.match(line.strip()):
                    done, total = int(match.group(1)), int(match.group(2))
                    bar.total = total
                    bar.n = done
                    bar.refresh()
    if process.returncode != 0:
        # Snakemake's own account of the failure, which names the rule and its log; our stages print
        # one line per problem above it.
        stream.write("".join(output[-40:]))
        stream.write(f"\nbuild failed (exit {process.returncode}); nothing half-written was kept\n")
        return process.returncode
    rebuilt = summary(root, start)
    if any("Nothing to be done" in line for line in output):
        print("everything is up to date", file=stream)
    for line in rebuilt:
        print(line, file=stream)
    print(f"done in {time.time() - start:.1f} s; open {root / 'reports' / 'index.html'}", file=stream)
    return 0
