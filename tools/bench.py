"""`make bench`: wall-clock figures of the real pipeline, as medians over repeated runs.

Each scenario runs Snakemake in a scratch directory (a copy of config and data), so the project's own
results/ and reports/ are untouched. Figures are printed one per line and written as JSON. Machines are
shared and noisy: compare medians and ratios, not single runs.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_child_memory_mib() -> float:
    """Largest resident set of any finished child process so far (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@dataclass
class Tree:
    """A checkout of patroon whose builds are timed: this one, or (`--before DIR`) an earlier one, run
    the way its `make reports` ran."""

    label: str
    root: Path
    before: bool = False

    def command(self) -> list[str]:
        profile = str(self.root / "workflow" / "profiles" / "default")
        if self.before and not (self.root / "src" / "patroon" / "pipeline" / "runner.py").exists():
            # main before issue 26: Snakemake straight from make
            return [sys.executable, "-m", "snakemake", "--snakefile", str(self.root / "Snakefile"), "--profile", profile]
        return [sys.executable, "-m", "patroon.pipeline.runner", "--snakefile", str(self.root / "Snakefile"),
                "--profile", profile]

    def env(self) -> dict:
        return {**os.environ, "PYTHONPATH": str(self.root / "src"), "SOURCE_DATE_EPOCH": "1700000000"}


TIMEOUT = None  # seconds a build may take (--timeout); one that takes longer counts as that long


def build(tree: Tree, workdir: Path) -> tuple[float, float]:
    """One `make reports` in `workdir`: seconds, and the largest resident set of any of its processes (MiB,
    from GNU time, which reports the maximum over the process and the descendants it waited for)."""
    measure = workdir / ".bench-time"
    timer = ["/usr/bin/time", "-f", "%M", "-o", str(measure)] if Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    process = subprocess.Popen(timer + tree.command(), cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=tree.env(), start_new_session=True)
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)  # the build's own process group, started above
        process.communicate()
        print(f"  ({tree.label}: stopped after the {TIMEOUT} s time limit; counted as {TIMEOUT} s)", flush=True)
        subprocess.run([sys.executable, "-m", "snakemake", "--unlock", "--snakefile", str(tree.root / "Snakefile")],
                       cwd=workdir, capture_output=True, env=tree.env())
        return float(TIMEOUT), 0.0
    elapsed = time.perf_counter() - start
    run = subprocess.CompletedProcess(process.args, process.returncode, output, "")
    if run.returncode != 0:
        raise RuntimeError(f"the build with {tree.label} failed in {workdir}:\n{(run.stdout + run.stderr)[-3000:]}")
    peak = float(measure.read_text().split()[-1]) / 1024 if timer else peak_child_memory_mib()
    return elapsed, peak


def scratch(studies: list[str], data: Path, formats: str = "[html, pdf]") -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="patroon-bench-"))
    (workdir / "config").mkdir()
    (workdir / "config" / "config.yaml").write_text(
        "studies: [" + ", ".join(studies) + f"]\nformats: {formats}\nrenderer: pandoc\n"
        f"data_dir: {data}\nprivacy_file: null\n")
    return workdir


def summary(name: str, values: list[float], unit: str = "s") -> dict:
    figure = {"name": name, "median": statistics.median(values), "min": min(values), "max": max(values),
              "runs": len(values), "unit": unit}
    print(f"{name}: median {figure['median']:.2f} {unit} (min {figure['min']:.2f}, max {figure['max']:.2f}, "
          f"n={len(values)})", flush=True)
    return figure


def real_edit(path: Path, i: int) -> None:
    """A real edit of a provider file: its name, which its report, its gemeenten's and the synthesis show."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nname: ", f"\nname: Bewerkt {i} ", 1), encoding="utf-8")


def bench_builds(trees: list[Tree], studies: list[str], repeat: int, label: str, data_source: Path,
                 edit_file: str, formats: str = "[html, pdf]") -> list[dict]:
    """Full build from scratch, a build with nothing to do, and a build after one real edit, for each tree,
    interleaved: run i of every tree before run i + 1 of any (a shared machine's load hits both alike)."""
    figures: dict[str, dict[str, list[float]]] = {t.label: {"full": [], "nothing": [], "one": [], "peak": []}
                                                  for t in trees}
    for i in range(repeat):
        for tree in trees:
            data = Path(tempfile.mkdtemp(prefix="patroon-bench-data-"))
            # An earlier checkout builds its own copy of the real studies: today's data may use fields
            # its code does not know yet. Synthetic data (`bench_scale`) is the same for both.
            source = tree.root / "data" if tree.before and data_source == ROOT / "data" else data_source
            for study in studies:
                shutil.copytree(source / study, data / study)
            workdir = scratch(studies, data, formats)
            seconds, peak = build(tree, workdir)
            figures[tree.label]["full"].append(seconds)
            figures[tree.label]["peak"].append(peak)
            figures[tree.label]["nothing"].append(build(tree, workdir)[0])
            real_edit(data / edit_file, i)
            seconds, peak = build(tree, workdir)
            figures[tree.label]["one"].append(seconds)
            figures[tree.label]["peak"].append(peak)
            shutil.rmtree(workdir)
            shutil.rmtree(data)
    result = []
    for tree in trees:
        mine = figures[tree.label]
        prefix = f"[{tree.label}] " if len(trees) > 1 else ""
        result += [summary(f"{prefix}{label}: full build from scratch", mine["full"]),
                   summary(f"{prefix}{label}: build, nothing changed", mine["nothing"]),
                   summary(f"{prefix}{label}: build after a real edit of {Path(edit_file).name}", mine["one"]),
                   summary(f"{prefix}{label}: peak memory of any process", mine["peak"], unit="MiB")]
    return result


def bench_real(trees: list[Tree], studies: list[str], repeat: int) -> list[dict]:
    with_providers = [s for s in studies if list((ROOT / "data" / s / "aanbieders").glob("*.yaml"))]
    provider = sorted((ROOT / "data" / with_providers[0] / "aanbieders").glob("*.yaml"))[0]
    return bench_builds(trees, studies, repeat, f"{len(studies)} studies", ROOT / "data",
                        str(provider.relative_to(ROOT / "data")))


def find_quarto() -> str | None:
    """quarto on PATH, else the shared 1.7 install (../shared/tools/quarto/install.sh)."""
    found = shutil.which("quarto")
    if found:
        return found
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    shared = cache / "patroon-quarto" / "1.7.34" / "bin" / "quarto"
    return str(shared) if shared.exists() else None


def bench_renderers(studies: list[str], repeat: int) -> list[dict]:
    """Every report of the studies rendered from scratch (HTML and PDF) by each renderer: time per report."""
    quarto = find_quarto()
    figures = []
    for renderer in ["pandoc"] + (["quarto"] if quarto else []):
        env = dict(os.environ)
        if quarto:
            env["PATH"] = f"{Path(quarto).parent}{os.pathsep}{env.get('PATH', '')}"
        per_report = []
        for _ in range(repeat):
            out = Path(tempfile.mkdtemp(prefix="patroon-bench-render-"))
            start = time.perf_counter()
            for study in studies:
                run = subprocess.run([sys.executable, "-m", "patroon", "render", "--data", str(ROOT / "data"),
                                      "--study", study, "--reports", str(out), "--renderer", renderer,
                                      "--formats", "html,pdf"], capture_output=True, text=True, env=env, cwd=ROOT)
                if run.returncode != 0:
                    raise RuntimeError(f"render with {renderer} failed:\n{run.stderr[-2000:]}")
            elapsed = time.perf_counter() - start
            reports = len(list(out.rglob("*.qmd")))
            per_report.append(elapsed / reports)
            shutil.rmtree(out)
        figures.append(summary(f"render every report ({reports}) with {renderer}: time per report", per_report))
    if not quarto:
        print("quarto not found: no figure for it (bash ../shared/tools/quarto/install.sh installs it)")
    return figures


def bench_typst(studies: list[str], repeat: int) -> list[dict]:
    """Typst's share of a render: the in-process compile of each report's PDF, timed around
    `patroon.engines.convert.typeset` while every report of the studies is rendered to PDF with pandoc+typst
    in this process (one worker). The time per report, and the slowest reports by title."""
    from patroon.data.load import load_study
    from patroon.engines import convert
    from patroon.engines.detect import detect
    from patroon.pipeline.build import render_study

    timed = convert.typeset
    compiles: list[tuple[str, float]] = []

    def typeset(markup: str, report_dir: Path, root: Path | None = None) -> bytes:
        title = re.search(r'#set document\(title: "((?:[^"\\]|\\.)*)"', markup)
        start = time.perf_counter()
        try:
            return timed(markup, report_dir, root)
        finally:
            compiles.append((title.group(1) if title else str(report_dir), time.perf_counter() - start))

    convert.typeset = typeset
    renders = []
    try:
        for _ in range(repeat):
            out = Path(tempfile.mkdtemp(prefix="patroon-bench-typst-"))
            start = time.perf_counter()
            for study in studies:
                data = load_study(ROOT / "data" / study, base=ROOT)
                render_study(data, out / study, ["pdf"], detect("pandoc"), base=ROOT, workers=1, log=lambda *_: None)
            renders.append(time.perf_counter() - start)
            shutil.rmtree(out)
    finally:
        convert.typeset = timed
    n = len(compiles) // repeat
    figure = summary(f"typst compile per report ({n} reports, in-process)", [t for _, t in compiles])
    slowest: dict[str, list[float]] = {}
    for title, seconds in compiles:
        slowest.setdefault(title, []).append(seconds)
    top = sorted(slowest.items(), key=lambda item: -statistics.median(item[1]))[:3]
    print(f"typst compile of all {n} reports: {sum(t for _, t in compiles) / repeat:.2f} s of a "
          f"{statistics.median(renders):.2f} s PDF render (median of {repeat}); slowest: "
          + "; ".join(f"{title[:60]} {statistics.median(times):.2f} s" for title, times in top), flush=True)
    return [figure]


def bench_refusals(repeat: int) -> list[dict]:
    """How long `patroon validate` takes to refuse each file of the bad-input corpus (slowest file)."""
    import yaml

    bad = ROOT / "tests" / "fixtures" / "bad"
    expected = yaml.safe_load((bad / "expected.yaml").read_text())
    slowest = []
    for _ in range(repeat):
        worst = 0.0
        for name, spec in expected.items():
            data = Path(tempfile.mkdtemp(prefix="patroon-bench-bad-"))
            shutil.copytree(ROOT / "tests" / "fixtures" / "mini", data / "mini")
            target = "gemeenten/a.yaml" if spec["kind"] == "gemeente" else "aanbieders/org2.yaml"
            shutil.copy(bad / name, data / "mini" / target)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "patroon", "validate", "--data", str(data), "--study", "mini"],
                           capture_output=True)
            worst = max(worst, time.perf_counter() - start)
            shutil.rmtree(data)
        slowest.append(worst)
    return [summary(f"slowest refusal of a bad file ({len(expected)} files, incl. process start)", slowest)]


def bench_scale(trees: list[Tree], gemeenten: list[int], units: int, repeat: int, formats: str) -> list[dict]:
    """The synthetic study (`patroon synth`) from scratch, with nothing to do, and after a real edit of a
    regional provider (its report, its ten gemeenten's and the synthesis are made again)."""
    from patroon.data.synth import write_study

    figures = []
    for n in gemeenten:
        source = Path(tempfile.mkdtemp(prefix="patroon-bench-synth-"))
        (source / "sturing-jeugdhulp").mkdir()
        for name in ("study.yaml", "codebook.yaml"):
            shutil.copy(ROOT / "data" / "sturing-jeugdhulp" / name, source / "sturing-jeugdhulp" / name)
        write_study(source, "synth", n, units, seed=1)
        reports = 1 + n + len(list((source / "synth" / "aanbieders").glob("*.yaml")))
        figures += bench_builds(trees, ["synth"], repeat, f"synthetic {n} x {units} ({reports} reports, {formats})",
                                source, "synth/aanbieders/regio-1-1.yaml", formats)
        shutil.rmtree(source)
    return figures


def qca_data(n_conditions: int, n_cases: int, seed: int = 1):
    """Random crisp cases whose outcome follows a fixed rule (A*B + C*~D + E*F*G), so that there are
    positive, negative and remainder rows: the shape of a real analysis, at any size."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    names = [f"C{i + 1}" for i in range(n_conditions)]
    x = rng.integers(0, 2, size=(n_cases, n_conditions))
    c = [x[:, i % n_conditions] for i in range(7)]
    y = (c[0] & c[1]) | (c[2] & (1 - c[3])) | (c[4] & c[5] & c[6])
    frame = pd.DataFrame(x, columns=names)
    frame["Y"] = y
    frame.insert(0, "unit_id", [f"u{i}" for i in range(n_cases)])
    return frame, names


def bench_qca(repeat: int) -> list[dict]:
    """patroon.analysis.qca.analyse on synthetic data: truth table, necessity, complex, parsimonious and
    intermediate solutions (all models) for the outcome and its negation. In-process, no Python start."""
    from patroon.analysis import qca

    figures = []
    for n_conditions, n_cases in ((5, 18), (9, 18), (10, 18), (12, 500)):
        frame, names = qca_data(n_conditions, n_cases)
        expectations = {name: 1 for name in names}
        times, models = [], 0
        for _ in range(max(repeat, 5)):
            start = time.perf_counter()
            result = qca.analyse(frame, names, "Y", directional_expectations=expectations)
            negated = qca.analyse(frame, names, "Y", directional_expectations=expectations, negate=True)
            times.append(time.perf_counter() - start)
            models = len(result.solutions) + len(negated.solutions)
        figures.append(summary(f"QCA {n_conditions} conditions x {n_cases} cases, Y and ~Y, "
                               f"complex/intermediate/parsimonious ({models} models)", times))
        single = []
        for _ in range(max(repeat, 5)):
            start = time.perf_counter()
            result = qca.analyse(frame, names, "Y")
            single.append(time.perf_counter() - start)
        figures.append(summary(f"QCA {n_conditions} conditions x {n_cases} cases, Y only, complex/parsimonious "
                               f"({len(result.solutions)} models)", single))
    return figures


def bench_slurm(studies: list[str], repeat: int, shards: int) -> list[dict]:
    """Local against SLURM wall time for a full build, on a single-node SLURM brought up for it
    (tools/localslurm.py: root only), and the overhead per SLURM job: (SLURM - local) / jobs submitted."""
    from localslurm import LocalSlurm

    data = Path(tempfile.mkdtemp(prefix="patroon-bench-data-"))
    for study in studies:
        shutil.copytree(ROOT / "data" / study, data / study)
    local, cluster, per_job = [], [], []
    profile = ["--profile", str(ROOT / "workflow" / "profiles" / "slurm"), "--config", f"report_shards={shards}"]
    with LocalSlurm() as slurm:
        for _ in range(repeat):
            workdir = scratch(studies, data)
            local.append(build(Tree("this tree", ROOT), workdir)[0])
            shutil.rmtree(workdir)
            workdir = scratch(studies, data)
            command = [str(Path(sys.executable).with_name("snakemake")), "--snakefile", str(ROOT / "Snakefile"),
                       "all", *profile]  # the target before --config, which takes every word after it
            start = time.perf_counter()
            run = subprocess.run(command, cwd=workdir, capture_output=True, text=True, env=slurm.env())
            cluster.append(time.perf_counter() - start)
            if run.returncode != 0:
                raise RuntimeError(f"snakemake on SLURM failed in {workdir}:\n{run.stderr[-2000:]}")
            jobs = (run.stdout + run.stderr).count("has been submitted with SLURM jobid")
            per_job.append((cluster[-1] - local[-1]) / max(1, jobs))
            shutil.rmtree(workdir)
    shutil.rmtree(data)
    name = ",".join(studies)
    return [summary(f"full build, local, 2 cores ({name})", local),
            summary(f"full build on single-node SLURM, {shards} render shards per study, {jobs} jobs ({name})", cluster),
            summary("SLURM overhead per job ((SLURM - local) / jobs)", per_job)]


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="patroon bench")
    parser.add_argument("--studies", default="", help="comma-separated; default: the studies of config/config.yaml")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", default="", help="comma-separated gemeente counts, e.g. 34,342")
    parser.add_argument("--units", type=int, default=10)
    parser.add_argument("--out", default="bench/results.json")
    parser.add_argument("--scale-only", action="store_true", help="skip the real studies and the refusals")
    parser.add_argument("--qca-only", action="store_true", help="only the QCA timings")
    parser.add_argument("--slurm", action="store_true",
                        help="cluster part: local against single-node SLURM wall time (root; the [slurm] extra)")
    parser.add_argument("--slurm-only", action="store_true", help="only the cluster part")
    parser.add_argument("--shards", type=int, default=2, help="render shards per study in the cluster part")
    parser.add_argument("--no-renderers", dest="renderers", action="store_false",
                        help="skip the time per report with each renderer (pandoc+typst, and quarto when found)")
    parser.add_argument("--builds-only", action="store_true", help="only the build timings (and --scale)")
    parser.add_argument("--scale-formats", default="[html, pdf]", help="formats of the synthetic builds")
    parser.add_argument("--before", type=Path, help="a checkout of an earlier patroon (e.g. `git worktree add "
                        "../before <commit>`): every build timing is made for it too, in pairs, interleaved")
    parser.add_argument("--timeout", type=float, help="seconds a build may take; longer counts as that long")
    args = parser.parse_args(argv)
    global TIMEOUT
    TIMEOUT = args.timeout
    trees = [Tree("this tree", ROOT)]
    if args.before:
        trees = [Tree("before", args.before.resolve(), before=True), Tree("after", ROOT)]
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if args.studies:
        studies = args.studies.split(",")
    else:
        import yaml

        studies = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["studies"]
    studies = [s for s in studies if (ROOT / "data" / s / "study.yaml").exists()]
    quick = args.scale_only or args.slurm_only or args.qca_only
    figures = [] if args.slurm_only or args.builds_only else bench_qca(args.repeat)
    figures += bench_real(trees, studies, args.repeat) if studies and not quick else []
    quick = quick or args.builds_only
    figures += [] if quick else bench_refusals(args.repeat)
    if studies and not quick and args.renderers:
        figures += bench_renderers(studies, max(1, args.repeat // 3))
    if studies and not quick:
        figures += bench_typst(studies, max(1, args.repeat // 3))
    if args.slurm or args.slurm_only:
        figures += bench_slurm(studies, args.repeat, args.shards)
    if args.scale:
        figures += bench_scale(trees, [int(n) for n in args.scale.split(",")], args.units, max(1, args.repeat // 3),
                               args.scale_formats)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": platform.platform(), "cores": os.cpu_count(), "figures": figures},
                              indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
