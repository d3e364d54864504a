"""Command line: `patroon validate|tables|analyse|render|index|schemas`. Each stage works without
Snakemake; the Snakefile calls these same commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from patroon.data.load import load_study
from patroon.data.study_data import StudyData
from patroon.data.yamlfile import LoadError, Problem
from patroon.output.privacy import PrivacyLeak


def _config(args):
    """config/config.yaml as a model, or None when there is none (a study folder used on its own)."""
    if getattr(args, "config_model", False) is False:
        from patroon.pipeline.config import load_config

        path = Path(args.config)
        args.config_model = load_config(path) if path.exists() else None
    return args.config_model


def _configured_language(args) -> str:
    """The configured language: Snakemake passes its own config's (which `--config language=en` may have
    changed), a command run by hand reads config/config.yaml."""
    if getattr(args, "configured_language", None):
        return args.configured_language
    return _config(args).language if _config(args) else "nl"


def _studies(args) -> list[str]:
    if args.study:
        return args.study
    config = _config(args)
    if config is None:
        raise LoadError([Problem(args.config, 1, "studies", "no such file; name the study with --study")])
    return config.studies


def _load(args, study_id: str) -> StudyData:
    """One study, in the report language: --language, else the study's own, else the configured one."""
    data = load_study(Path(args.data) / study_id, base=Path.cwd(), language=_configured_language(args))
    language = getattr(args, "language", None)
    if language:
        data.study = data.study.model_copy(update={"language": language})
    return data


def _guard(args):
    """The privacy guard of this command; kept on `args` so that a refusal can undo what the job wrote."""
    from patroon.output.privacy import load_guard

    if getattr(args, "guard", None) is not None:
        return args.guard
    path = _privacy_file(args)
    args.guard = load_guard(Path(path) if path else None)
    return args.guard


def _privacy_file(args) -> str | None:
    """The privacy term file: `--privacy`, else the config's `privacy_file`."""
    if args.privacy is None and _config(args) is not None:
        return _config(args).privacy_file
    return args.privacy



def _unlisted_studies(args) -> list[Path]:
    """Study folders (with a study.yaml) that the config does not list: validate names them, so a new
    study is not skipped without a word."""
    listed = set(_studies(args))
    data = Path(args.data)
    found = sorted(p.parent for p in data.glob("*/study.yaml")) if data.is_dir() else []
    return [folder for folder in found if folder.name not in listed]


def cmd_validate(args) -> int:
    problems = []
    for study_id in _studies(args):
        folder = Path(args.data) / study_id
        if not folder.is_dir():
            problems.append(f"{folder}:1: study: no such study folder")
            continue
        try:
            data = load_study(folder, base=Path.cwd())
        except LoadError as exc:
            problems.extend(map(str, exc.problems))
            continue
        if data.study.coding is not None:
            from patroon.analysis.reconciliation import check_coding

            found = check_coding(folder, data, Path.cwd(), measures=False).problems
            problems.extend(map(str, found))
            if found:
                continue
        if not args.quiet:
            n_units = sum(len(o.units) for o in data.organisations.values())
            counts = [data.count_of(k, len(data.cases_of(k))) for k in data.case_kinds()]
            if data.organisation_kind() is not None:
                counts += [data.count_of(data.organisation_kind(), len(data.organisations)), f"{n_units} units"]
            print(f"{study_id}: valid ({', '.join(counts)})")
    if not args.study and not args.quiet:
        for folder in _unlisted_studies(args):
            print(f"{folder}: not in {args.config}: skipped")
    for line in problems:
        print(line, file=sys.stderr)
    if args.stamp and not problems:
        from patroon.output.atomic import write_text

        write_text(Path(args.stamp), "valid\n")
    return 1 if problems else 0


def cmd_tables(args) -> int:
    from patroon.pipeline.stages import run_tables

    for study_id in _studies(args):
        run_tables(_load(args, study_id), Path(args.results) / study_id, _guard(args))
    return 0


def cmd_analyse(args) -> int:
    from patroon.pipeline.stages import run_analysis

    for study_id in _studies(args):
        run_analysis(_load(args, study_id), Path(args.results) / study_id, _guard(args))
    return 0


def cmd_agreement(args) -> int:
    from patroon.analysis.reconciliation import check_coding
    from patroon.pipeline.stages import run_agreement

    for study_id in _studies(args):
        data = _load(args, study_id)
        if data.study.coding is None:
            print(f"error: study {study_id} declares no second coding (`coding:` in study.yaml)", file=sys.stderr)
            return 2
        check = check_coding(Path(args.data) / study_id, data, Path.cwd())
        if check.comparison is None:
            raise LoadError(check.problems)
        # Agreement is worth reading while decisions are still open: write it, and list what is open.
        run_agreement(check, Path(args.results) / study_id, _guard(args))
        pooled = check.comparison.per_variable.iloc[-1]
        print(f"{study_id}: {check.comparison.n_items} items compared, disagreements: {check.comparison.n_disagreements}; "
              f"agreement {pooled.percent_agreement}%, kappa {pooled.cohen_kappa}, alpha {pooled.krippendorff_alpha}")
        for problem in check.problems:
            print(problem, file=sys.stderr)
    return 0


def cmd_render(args) -> int:
    from patroon.engines.detect import detect
    from patroon.engines.quarto import QuartoError
    from patroon.pipeline.build import render_plan, render_study
    from patroon.pipeline.plan import STATE

    renderer = detect(args.renderer)
    guard = _guard(args)
    formats = args.formats.split(",")
    for study_id in _studies(args):
        data = _load(args, study_id)
        plan = render_plan(data, formats, args.renderer, _privacy_file(args), STATE / study_id)
        try:
            render_study(data, Path(args.reports) / study_id, formats, renderer, guard, plan=plan,
                         only=args.report, workers=args.workers, part=args.shard)
        except KeyError as exc:
            print(f"error: no report {exc} in study {study_id}", file=sys.stderr)
            return 2
        except QuartoError as exc:  # Quarto's own message; the previous reports are untouched
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if args.stamp:
        from patroon.output.atomic import write_text

        write_text(Path(args.stamp), "rendered\n")
    return 0


def cmd_index(args) -> int:
    from patroon.output.atomic import write_text
    from patroon.report.site import index_html

    studies = [_load(args, s) for s in _studies(args)]
    # The index lists every study, so it speaks the configured language (or --language), not a study's.
    language = args.language or _configured_language(args)
    write_text(Path(args.reports) / "index.html", index_html(studies, args.formats.split(","), language), _guard(args))
    return 0


def cmd_publish(args) -> int:
    from patroon.pipeline.publish import publish_studies

    publish_studies(Path(args.data), _studies(args), Path(args.results), Path(args.reports), _guard(args))
    return 0


def cmd_schemas(args) -> int:
    from patroon.pipeline.schemas import schemas

    out = Path(args.out)
    stale = []
    for name, schema in schemas().items():
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        path = out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            from patroon.output.atomic import write_text

            write_text(path, text)
    for path in stale:
        print(f"{path}:1: schema: out of date; run `make schemas`", file=sys.stderr)
    return 1 if stale else 0


def cmd_new(args) -> int:
    from patroon.data.load import load_codebook, load_model
    from patroon.data.models import Study
    from patroon.data.scaffold import skeleton
    from patroon.data.suggest import did_you_mean

    if not args.study or len(args.study) != 1:
        print("error: name the study: patroon new KIND --study STUDY --id ID", file=sys.stderr)
        return 2
    study_id = args.study[0]
    folder = Path(args.data) / study_id
    study = load_model(folder / "study.yaml", Study)
    codebook = load_codebook(folder / "codebook.yaml")
    kinds = {k.kind: k for k in study.unit_kinds}
    kind = args.kind
    if kind is None and len(kinds) == 1:
        kind = next(iter(kinds))
    if kind not in kinds:
        what = f"unknown kind '{kind}'" if kind else "name the kind"
        print(f"error: {what}; study {study_id} has: {', '.join(kinds)}" + did_you_mean(kind or "", kinds),
              file=sys.stderr)
        return 2
    case_plural = next(k.plural for k in study.unit_kinds if k.role == "case")
    case_ids = sorted(p.stem for p in (folder / case_plural).glob("*.yaml"))  # what units may refer to
    language = args.language or study.language or _configured_language(args)
    text = skeleton(study, codebook, case_ids, kind, args.id, language)
    return _emit(text, None if args.stdout else folder / kinds[kind].plural / f"{args.id}.yaml")


def cmd_new_study(args) -> int:
    """A new study folder with a commented study.yaml and codebook.yaml; never over an existing folder."""
    from patroon.data.scaffold import study_files
    from patroon.output.atomic import write_text

    folder = Path(args.data) / args.id
    if folder.exists():
        print(f"error: {folder} exists; not overwriting it (choose another id)", file=sys.stderr)
        return 1
    if args.add_to_config and not Path(args.config).exists():
        print(f"error: {args.config} does not exist; run from the project folder or drop --add-to-config",
              file=sys.stderr)
        return 2
    language = args.language or _configured_language(args)
    plural = args.plural or f"{args.kind}s"
    for name, text in study_files(args.id, args.kind, plural, language).items():
        write_text(folder / name, text)
    (folder / plural).mkdir()
    print(f"wrote {folder}/study.yaml, {folder}/codebook.yaml and the empty folder {folder}/{plural}/")
    if args.add_to_config:
        from patroon.pipeline.config import add_study

        add_study(Path(args.config), args.id)
        print(f"added {args.id} to {args.config}")
    print(f"next: fill in the TODOs, then `patroon new {args.kind} --study {args.id} --id FIRST-CASE`; "
          "see docs/your-own-study.md")
    return 0


def _emit(text: str, path: Path | None) -> int:
    """Print a generated skeleton, or write it to a new file: a researcher's file is never overwritten."""
    if path is None:
        sys.stdout.write(text)
        return 0
    if path.exists():
        print(f"error: {path} exists; not overwriting it", file=sys.stderr)
        return 1
    from patroon.output.atomic import write_text

    write_text(path, text)
    print(f"wrote {path}")
    return 0


def cmd_build(args) -> int:
    from patroon.pipeline.runner import build

    extra = [a for a in args.snakemake_args if a != "--"]
    return build(Path.cwd(), args.cores, extra, profile=args.profile, study=args.study, language=args.language)


def cmd_import_qdc(args) -> int:
    from patroon.data import qdc

    try:
        document = qdc.read(Path(args.file))
        text = qdc.skeleton(document)
    except OSError as error:
        print(f"{args.file}: cannot read: {error.strerror}", file=sys.stderr)
        return 1
    except qdc.QdcRefused as error:
        print(f"{args.file}:{error.line}: {error.field}: {error}", file=sys.stderr)
        return 1
    except (ValueError, SyntaxError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 1
    return _emit(text, None if args.out is None else Path(args.out))


def cmd_synth(args) -> int:
    from patroon.data.synth import write_study

    if not args.study or len(args.study) != 1:
        print("error: synth needs exactly one --study NAME for the new study folder", file=sys.stderr)
        return 2
    try:
        target = write_study(Path(args.data), args.study[0], args.gemeenten, args.units, args.seed, args.template)
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote synthetic study {args.study[0]} to {target}")
    return 0


def _slug(value: str) -> str:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise argparse.ArgumentTypeError(f"'{value}' is not a slug (lower-case letters, digits, '-')")
    return value


def _shard(value: str) -> tuple[int, int]:
    import re

    match = re.fullmatch(r"([1-9][0-9]*)/([1-9][0-9]*)", value)
    if match is None or int(match[1]) > int(match[2]):
        raise argparse.ArgumentTypeError(f"'{value}' is not a shard K/N with 1 <= K <= N, e.g. 2/4")
    return int(match[1]), int(match[2])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="patroon", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def add(name, func, help_):
        s = sub.add_parser(name, help=help_)
        s.add_argument("--study", action="append", help="study id (repeatable); default: config/config.yaml")
        s.add_argument("--config", default="config/config.yaml")
        s.add_argument("--data", default="data")
        s.add_argument("--results", default="results")
        s.add_argument("--reports", default="reports")
        s.add_argument("--privacy", help="file with terms that must not appear in outputs (default: from config)")
        s.add_argument("--language", choices=["nl", "en"],
                       help="report language; default: the study's `language`, else config/config.yaml's")
        s.add_argument("--configured-language", choices=["nl", "en"], help=argparse.SUPPRESS)
        s.set_defaults(func=func)
        return s

    v = add("validate", cmd_validate, "check every data file; one line per problem")
    v.add_argument("--quiet", action="store_true")
    v.add_argument("--stamp", help="write this file when everything is valid (for Snakemake)")
    add("tables", cmd_tables, "write cases.csv, units.csv and the per-case tables")
    add("analyse", cmd_analyse, "write cross-case tables, patterns.json and qca/")
    add("agreement", cmd_agreement, "intercoder agreement of the two codings, per variable, and every disagreement")
    r = add("render", cmd_render, "write .qmd and render HTML/PDF reports")
    r.add_argument("--report", action="append", help="e.g. gemeenten/rijn, aanbieders/mars or synthese")
    r.add_argument("--formats", default="html,pdf")
    r.add_argument("--renderer", default="auto", choices=["auto", "quarto", "pandoc"])
    r.add_argument("--workers", type=int, default=2, help="reports rendered at once")
    r.add_argument("--stamp", help="write this file when done (for Snakemake)")
    r.add_argument("--shard", type=_shard, default=(1, 1), metavar="K/N",
                   help="render only the K-th of N shards of each study's reports (for a cluster); default 1/1")
    i = add("index", cmd_index, "write reports/index.html")
    i.add_argument("--formats", default="html,pdf")
    add("publish", cmd_publish, "copy a study's tables and workbook into reports/<study>/data/")
    s = add("schemas", cmd_schemas, "write (or --check) the JSON Schemas in workflow/schemas")
    s.add_argument("--out", default="workflow/schemas")
    s.add_argument("--check", action="store_true")
    n = add("new", cmd_new, "write a case file skeleton with every codebook variable of its kind")
    n.add_argument("kind", nargs="?", help="a kind of case of the study (unit_kinds in its study.yaml); "
                                           "may be left out when the study has one")
    n.add_argument("--id", required=True, type=_slug)
    n.add_argument("--stdout", action="store_true")
    ns = add("new-study", cmd_new_study, "write a new study folder: a commented study.yaml and codebook.yaml")
    ns.add_argument("id", type=_slug, help="the study id, also its folder name under data/")
    ns.add_argument("--kind", type=_slug, default="case", help="the kind of case it compares (default: case)")
    ns.add_argument("--plural", type=_slug, help="the folder of the case files (default: KIND + 's')")
    ns.add_argument("--add-to-config", action="store_true", help="also list the study in config/config.yaml")
    y = add("synth", cmd_synth, "write a synthetic study drawn from a real study's codebook")
    y.add_argument("--gemeenten", type=int, required=True)
    y.add_argument("--units", type=int, required=True, help="units per gemeente")
    y.add_argument("--seed", type=int, default=1)
    y.add_argument("--template", default="sturing-jeugdhulp")
    b = sub.add_parser("build", help="run the whole workflow with a progress bar and a summary")
    b.add_argument("--cores", type=int, default=2, help="without --profile")
    b.add_argument("--profile", help="a Snakemake profile folder, e.g. workflow/profiles/slurm")
    b.add_argument("--study", type=_slug, help="build only this study (one of config/config.yaml's studies)")
    b.add_argument("--language", choices=["nl", "en"], help="the configured language for this build")
    b.add_argument("snakemake_args", nargs=argparse.REMAINDER, help="passed on to snakemake, after --")
    b.set_defaults(func=cmd_build)
    q = add("import-qdc", cmd_import_qdc, "turn a REFI-QDA codebook (.qdc) into a codebook.yaml skeleton")
    q.add_argument("file", help="the .qdc file (e.g. exported from ATLAS.ti, NVivo or MAXQDA)")
    q.add_argument("--out", help="write here instead of standard output (refuses to overwrite)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except PrivacyLeak as exc:
        # What this job had already written passed the guard, but a set of outputs of which one was refused
        # is not a build: remove them all.
        removed = args.guard.undo() if getattr(args, "guard", None) is not None else []
        print(exc, file=sys.stderr)
        if removed:
            print(f"removed the {len(removed)} outputs this job had written", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `patroon validate | head`: the reader has gone; nothing to say, and nothing was half-written.
        sys.stderr.close()
        return 141
    except KeyboardInterrupt:
        print("interrupted; no partial outputs were left behind", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
