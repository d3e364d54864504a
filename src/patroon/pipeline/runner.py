"""`patroon build` (and `make reports`): run the Snakemake workflow and give a short account of it.

Snakemake stays the engine: it decides which jobs run. Around it this (see `patroon.pipeline.repair`)
clears what a killed run left, removes outputs that are not what a build wrote, skips Snakemake when
nothing changed since the last complete build, and afterwards removes what no rule makes any more. It
says per study what changed, which jobs run, which reports were made again and why, and at the end where
the reports are or, after a failure, its cause in one line. Snakemake's own log (hundreds of lines of
file lists) goes to `logs/build.log`.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tqdm import tqdm

from patroon.data.cache import ENV as STUDY_CACHE
from patroon.pipeline import warmstart

STEPS = re.compile(r"^(\d+) of (\d+) steps")
JOB = re.compile(r"^(?:local)?rule (?P<rule>[A-Za-z0-9_]+):$")
FINISHED = re.compile(r"^Finished jobid: (?P<id>\d+) \(Rule: (?P<rule>[A-Za-z0-9_]+)\)")
ERROR_IN = re.compile(r"^Error in rule (?P<rule>[A-Za-z0-9_]+):")
LOG_OF = re.compile(r"^\s+log: (?P<log>\S+)")
RENDERED = re.compile(r"^(?P<study>[a-z0-9-]+): rendered (?P<n>\d+) of (?P<total>\d+) reports")
REPORT = re.compile(r"^rendered: (?P<stem>\S+) \((?P<why>.+)\)$")
UP_TO_DATE = re.compile(r"^(?P<study>[a-z0-9-]+): all (?P<total>\d+) reports up to date")
# A problem as patroon's stages report it: `path/to/file.yaml:LINE: field: message`, or a privacy refusal
# (`reports/<study>/<report>.qmd: privacy: contains the protected term ...`).
PROBLEM = re.compile(r"^(?P<file>[^\s:]+\.[A-Za-z0-9]+):(?P<line>\d+): (?P<field>[^:]+): (?P<message>.+)$"
                     r"|^[^\s:]+: privacy: .+$")
STAGES = ("validate", "tables", "analysis", "reports", "agreement")
SHOWN_REPORTS = 8  # reports named per study in the account; the rest are counted (all are in the log)


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


def last_error(root: Path, logs: list[str]) -> str | None:
    """The last line of a failed job's log (an exception's message) when it reported no problem line."""
    for log in logs:
        path = root / log
        if path.is_file():
            lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
            lines = [line for line in lines if line]
            if lines:
                return lines[-1]
    return None


def failure_line(causes: list[str], log: str = "logs/build.log") -> str:
    """The last line of a failed build: its first cause (and how many more there are)."""
    if not causes:
        return f"build failed; see {log}"
    more = f" (and {len(causes) - 1} more above)" if len(causes) > 1 else ""
    return f"build failed: {causes[0]}{more}"


def summary(root: Path, since: float) -> list[str]:
    """Per study whose render job ran in this build (its log is newer than the start): how many reports
    were made again, and which, grouped by why."""
    lines = []
    for log in sorted((root / "logs").glob("*/reports*.log")):
        if log.stat().st_mtime < since:
            continue
        why: dict[str, list[str]] = {}
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if (match := RENDERED.match(line)) or (match := UP_TO_DATE.match(line)):
                lines.append(line.strip())
            elif match := REPORT.match(line):
                why.setdefault(match["why"], []).append(match["stem"])
        for reason, stems in why.items():
            named = ", ".join(stems) if len(stems) <= SHOWN_REPORTS else \
                f"{len(stems)} reports (see {log.relative_to(root)})"
            lines.append(f"  {reason}: {named}")
    return lines


class Account:
    """Follows Snakemake's output and says, per study, which job is done (and in how many seconds)."""

    def __init__(self, studies: list[str], say) -> None:
        self.say = say
        self.rules = {f"{stage}_{study.replace('-', '_')}": (study, stage) for study in studies for stage in STAGES}
        self.current: str | None = None
        self.jobs: dict[str, list] = {}  # job id -> [study, stage, start time]
        self.job_id: str | None = None
        self.failed_logs: list[str] = []
        self.in_error = False

    def of(self, rule: str) -> tuple[str, str]:
        if rule in self.rules:
            return self.rules[rule]
        for name, value in self.rules.items():
            if rule.startswith(name + "_"):  # a render shard: reports_<study>_<k>_of_<n>
                return value
        return ("", rule)  # validate and agreement (their study is a wildcard), index

    def feed(self, line: str) -> None:
        text = line.strip()
        if match := JOB.match(text):
            self.current, self.job_id, self.in_error = match["rule"], None, False
        elif self.current and text.startswith("jobid: "):
            self.job_id = text.removeprefix("jobid: ")
            self.jobs[self.job_id] = [*self.of(self.current), time.time()]
        elif self.job_id in self.jobs and text.startswith("wildcards: study="):
            self.jobs[self.job_id][0] = text.removeprefix("wildcards: study=").split(",")[0]
        elif match := FINISHED.match(text):
            study, stage, began = self.jobs.get(match["id"], ["", match["rule"], time.time()])
            if stage != "all":
                self.say(f"{study + ': ' if study else ''}{stage} done ({time.time() - began:.1f} s)")
        elif ERROR_IN.match(text):
            self.in_error = True
        elif self.in_error and (match := LOG_OF.match(line)):
            self.failed_logs.append(match["log"])


def _profile(root: Path, profile: str | None) -> dict:
    """The profile's config.yaml (empty without a profile, or when it cannot be read: Snakemake says why)."""
    if not profile:
        return {}
    import yaml

    try:
        settings = yaml.safe_load((root / profile / "config.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return settings if isinstance(settings, dict) else {}


def _profile_settings(settings: dict) -> dict:
    """Settings a profile gives on Snakemake's command line (the slurm profile's `report_shards=8`): the
    plan must count the same render shards as Snakemake."""
    found = {}
    for item in settings.get("config") or []:
        key, _, value = str(item).partition("=")
        if key.strip() == "report_shards" and value.strip().isdigit():
            found["report_shards"] = int(value)
    return found


def _jobs_run_here(settings: dict, extra: list[str]) -> bool:
    """Whether Snakemake runs the jobs on this machine (no cluster executor in the profile's `settings` or
    the arguments): only then can they start from this build's warm server."""
    if any(arg == "--executor" or arg.startswith("--executor=") or arg == "-e" for arg in extra):
        return False
    return str(settings.get("executor", "local")) in ("local", "dryrun", "touch")


def _snakemake_command(snakefile: Path, cores: int, profile: str | None, extra: list[str],
                       targets: list[str], overrides: list[str]) -> list[str]:
    """Snakemake asked for each study's rules by name (see workflow.study_targets), unless the caller
    passes arguments of its own (its own targets, perhaps). `--config` takes every key=value after it,
    so it comes last; a profile's `config:` is replaced by it, so the profile's shard count is repeated."""
    command = [sys.executable, "-m", "patroon.pipeline.snakemake_main", "--snakefile", str(snakefile)]
    if profile:
        command += ["--profile", profile]
    else:  # the settings of workflow/profiles/default, spelled out so a build works from any folder
        command += ["--cores", str(cores), "--rerun-incomplete", "--max-checksum-file-size", "0"]
    return command + (extra or targets) + (["--config", *overrides] if overrides else [])


def build(root: Path, cores: int = 2, extra: list[str] | None = None, stream=sys.stderr,
          snakefile: Path | None = None, profile: str | None = None, study: str | None = None,
          language: str | None = None) -> int:
    """Build every configured study (or `study` only; the index still lists them all), with the configured
    language (or `language`): `make reports [STUDY=id]`, `patroon build [--study id] [--language en]`."""
    from patroon.data.yamlfile import LoadError
    from patroon.pipeline import repair
    from patroon.pipeline.plan import STATE
    from patroon.pipeline.config import load_config
    from patroon.pipeline.workflow import _snakemake_running_in, clear_dead_run

    extra = list(extra or [])
    snakefile = (snakefile or root / "Snakefile").resolve()
    if not snakefile.exists():
        print(f"error: no Snakefile in {root}; run patroon build from the project folder", file=stream)
        return 2
    start = time.time()
    index = (root / "reports" / "index.html").resolve()

    def say(text: str) -> None:
        tqdm.write(text, file=stream)

    config_path = root / "config" / "config.yaml"
    profile_settings = _profile(root, profile)
    try:
        config = load_config(config_path)
        config = config.model_copy(update={**_profile_settings(profile_settings),
                                           **({"language": language} if language else {})})
        if study is not None and study not in config.studies:
            say(failure_line([f"config/config.yaml: studies: '{study}' is not listed; add it there "
                              f"(known: {', '.join(config.studies)})"]))
            return 1
        wanted = repair.expected(root, config, config_path.read_text(encoding="utf-8"), snakefile, extra, study)
    except LoadError as error:
        causes = [str(p) for p in error.problems]
        for cause in causes[:20]:
            say(cause)
        say(failure_line(causes))
        return 1
    except (OSError, RuntimeError) as error:
        say(failure_line([f"config/config.yaml: {error}"]))
        return 1
    if not _snakemake_running_in(root):  # else Snakemake stops at the running build's lock
        clear_dead_run(root, log=say)
        if repair.up_to_date(root, wanted):
            say(f"everything is up to date (done in {time.time() - start:.1f} s)")
            say(f"open {index}")
            return 0
        for line in repair.changes(root, wanted):
            say(line)
        repair.remove_changed_outputs(root, wanted, log=say)
    log_path = root / "logs" / "build.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    account = Account(wanted.studies, say)
    overrides = [f"study={study}"] * bool(study) + [f"language={language}"] * bool(language)
    if overrides and profile:  # a --config replaces the profile's: repeat its shard count
        overrides += [f"{k}={v}" for k, v in _profile_settings(profile_settings).items()]
    command = _snakemake_command(snakefile, cores, profile, extra, wanted.targets, overrides)
    output: list[str] = []
    # Jobs run here start from a warm server (patroon.warm): about half a second less each.
    warm = warmstart.Server() if _jobs_run_here(profile_settings, extra) else contextlib.nullcontext({})
    with open(log_path, "w", encoding="utf-8") as log, warm as warm_env, \
            subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             env={**os.environ, **warm_env, STUDY_CACHE: str((root / STATE).resolve())}) \
            as process:
        with tqdm(total=1, unit="step", file=stream, disable=None, desc="patroon", leave=False) as bar:
            for line in process.stdout:
                log.write(line)
                output.append(line)
                account.feed(line)
                if match := STEPS.match(line.strip()):
                    bar.total, bar.n = int(match.group(2)), int(match.group(1))
                    bar.refresh()
    shown_log = log_path.relative_to(root) if log_path.is_relative_to(root) else log_path
    if process.returncode != 0:
        causes = problems(output) or problems_in_logs(root, start)
        if not causes and (line := last_error(root, account.failed_logs)):
            causes = [line]
        if not causes:
            causes = [line.strip() for line in output if "LockException" in line or "cannot be locked" in line][:1]
        if config.privacy_file and any(": privacy: " in cause for cause in causes):
            repair.remove_leaks(root, wanted, root / config.privacy_file, log=say)
        for cause in causes[:20]:
            say(cause)
        say(f"nothing half-written was kept (exit {process.returncode}); Snakemake's log: {shown_log}")
        say(failure_line(causes, str(shown_log)))
        return process.returncode
    repair.prune(root, wanted, other_studies=not extra and study is None, log=say)
    repair.record(root, wanted)
    if any("Nothing to be done" in line for line in output):
        say("everything is up to date")
    for line in summary(root, start):
        say(line)
    say(f"done in {time.time() - start:.1f} s (Snakemake's log: {shown_log})")
    say(f"open {index}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m patroon.pipeline.runner [--profile DIR] [-- snakemake arguments]`: what `make reports`
    runs. Lighter to start than the `patroon` command (it imports no study loading), which counts when
    there is nothing to do."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m patroon.pipeline.runner")
    parser.add_argument("--profile", help="a Snakemake profile folder, e.g. workflow/profiles/default")
    parser.add_argument("--cores", type=int, default=2, help="without --profile")
    parser.add_argument("--snakefile", type=Path, help="default: ./Snakefile")
    parser.add_argument("--study", help="build only this study (one of config/config.yaml's studies)")
    parser.add_argument("--language", choices=["nl", "en"], help="the configured language for this build")
    parser.add_argument("snakemake_args", nargs=argparse.REMAINDER, help="passed on to snakemake, after --")
    args = parser.parse_args(argv)
    extra = [a for a in args.snakemake_args if a != "--"]
    return build(Path.cwd(), args.cores, extra, snakefile=args.snakefile, profile=args.profile, study=args.study,
                 language=args.language)


if __name__ == "__main__":
    sys.exit(main())
