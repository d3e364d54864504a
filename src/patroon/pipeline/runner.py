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
# A problem as patroon's stages report it: `path/to/file.yaml:LINE: field: message`.
PROBLEM = re.compile(r"^(?P<file>[^\s:]+\.[A-Za-z0-9]+):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$")


def problems(lines) -> list[str]:
    """The distinct problem lines among a build's output, in the order they first appear."""
    found = [line.strip() for line in lines if PROBLEM.match(line.strip())]
    return list(dict.fromkeys(found))


def problems_in_logs(root: Path, since: float) -> list[str]:
    """The problem lines in the stage logs written since `since` (validate and render tee theirs)."""
    lines: list[str] = []
    for log in sorted((root / "logs").glob("*/*.log")):
        if log.stat().st_mtime >= since:
            lines += log.read_text(encoding="utf-8", errors="replace").splitlines()
    return problems(lines)


def failure_line(causes: list[str]) -> str:
    """The last line of a failed build: its first cause (and how many more there are)."""
    if not causes:
        return "build failed; see the Snakemake log above"
    more = f" (and {len(causes) - 1} more above)" if len(causes) > 1 else ""
    return f"build failed: {causes[0]}{more}"


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
        causes = problems(output) or problems_in_logs(root, start)
        for cause in causes[:20]:
            stream.write(cause + "\n")
        stream.write(f"\nnothing half-written was kept (exit {process.returncode})\n{failure_line(causes)}\n")
        return process.returncode
    rebuilt = summary(root, start)
    if any("Nothing to be done" in line for line in output):
        print("everything is up to date", file=stream)
    for line in rebuilt:
        print(line, file=stream)
    print(f"done in {time.time() - start:.1f} s", file=stream)
    print(f"open {(root / 'reports' / 'index.html').resolve()}", file=stream)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m patroon.runner --causes-since EPOCH`: after a failed `make reports`, print the causes
    found in the stage logs of that build and, last, the one-line cause."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m patroon.runner")
    parser.add_argument("--causes-since", type=float, required=True)
    args = parser.parse_args(argv)
    causes = problems_in_logs(Path.cwd(), args.causes_since)
    for cause in causes[:20]:
        print(cause, file=sys.stderr)
    print(failure_line(causes), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
