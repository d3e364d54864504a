"""`python -m patroon.pipeline.snakemake_main ARGS`: Snakemake's own command line, as `make reports` runs it,
without the second it spends waiting at the end of every build.

Snakemake's scheduler limits job starts per time span (`--max-jobs-per-timespan`, 100 a second by
default) and after each round starts a `threading.Timer` of that span to look again. The timer is not a
daemon thread, so when the build is done the interpreter waits for the last one to fire: 1.1 to 1.4 s
after "Complete log", on every build, measured on a one-rule workflow. Here the timers are daemon
threads: they still wake the scheduler while it runs, and no longer hold the finished process. A
shorter span is no way out: the option takes whole units ("100ms" reads as 100 minutes).
"""

from __future__ import annotations

import sys
import threading


class _DaemonTimer(threading.Timer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.daemon = True


def main() -> int:
    threading.Timer = _DaemonTimer  # this process runs only Snakemake
    from snakemake.cli import main as snakemake

    sys.argv[0] = "snakemake"
    return snakemake()


if __name__ == "__main__":
    sys.exit(main())
