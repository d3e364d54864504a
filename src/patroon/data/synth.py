"""A synthetic study at national scale, for benchmarks and scale tests.

It takes the codebook and study settings of a real study (by default `sturing-jeugdhulp`) and draws every
value validly from the codebook with a seeded generator. Organisations are shared across gemeenten as in
reality: a few national providers work almost everywhere, regional ones in the gemeenten of one region,
local ones in a single gemeente.

The data have a pattern to find: a unit's final reaction follows its organisation characteristics by the
study's own prediction rules (with the dissertation's: not knowing leads to doing nothing, at least two
of willen/kunnen/moeten positive to following), except for a share `NOISE` of units that react otherwise.
So the pattern-matching analysis confirms what it should and QCA finds sufficient configurations; with
that noise no configuration is perfectly consistent, so the synthetic study asks QCA for consistency
`CONSISTENCY` where its template may ask for 1.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import yaml

from patroon.data.load import load_codebook
from patroon.data.models import Codebook

try:
    from yaml import CSafeDumper as Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper

REGION_SIZE = 10  # gemeenten per region, roughly the size of a Dutch youth-care region
NOISE = 0.1  # share of units whose final reaction does not follow the prediction rules
CONSISTENCY = 0.8
EVIDENCE = [{"text": "Synthetic value drawn from the codebook.", "section": "0", "inferred": True}]


def _value(codebook: Codebook, variable, rng: random.Random):
    if variable.type == "integer":
        return rng.randint(1900, 2020)
    if variable.type == "text":
        return f"Synthetic {variable.id} {rng.randint(1, 999)}"
    return rng.choice([v.code for v in codebook.allowed_values(variable)])


def _coded(codebook: Codebook, level: str, rng: random.Random) -> dict:
    return {v.id: {"value": _value(codebook, v, rng), "evidence": EVIDENCE}
            for v in codebook.variables if v.level == level}


def _reactions(codebook: Codebook, analysis: dict, rng: random.Random):
    """A function from a unit's coded values to its reaction periods: the last period's cluster is the one
    the study's prediction rules give, or (a share NOISE of units) another; an earlier period, drawn in
    three of ten units, has any cluster."""
    from patroon.data.derive import predict
    from patroon.data.models import PredictionRule

    rules = [PredictionRule.model_validate(rule) for rule in analysis.get("prediction_rules") or []]
    default = analysis.get("prediction_default")
    columns = analysis.get("unit_columns") or {}
    clusters = [c.id for c in codebook.clusters]

    def period(start: int, end: int, cluster: str | None) -> dict:
        fitting = [t for t in codebook.tactics if cluster is None or t.cluster == cluster or
                   (t.cluster is None and cluster in t.period_clusters)]
        tactic = rng.choice(fitting)
        drawn = {"start": start, "end": end, "tactics": [tactic.id], "evidence": EVIDENCE}
        if tactic.cluster is None:  # a compromise: the period carries its judged cluster
            judged = cluster if cluster is not None else rng.choice(tactic.period_clusters)
            drawn["cluster"] = {"value": judged, "evidence": EVIDENCE}
        return drawn

    def periods(coded: dict) -> list[dict]:
        def lookup(column: str) -> str:
            value = coded.get(columns.get(column, column))
            return str(value["value"]) if value is not None else "onbekend"

        cluster = predict(rules, default, lookup)[0] if rules else None
        if cluster is None or rng.random() < NOISE:
            cluster = rng.choice([c for c in clusters if c != cluster] or clusters)
        drawn = [period(2018, 2020, cluster)]
        if rng.random() < 0.3:
            drawn.insert(0, period(2015, 2017, None))
        return drawn

    return periods


def plan_units(n_gemeenten: int, units_per_gemeente: int, rng: random.Random) -> dict[str, list[int]]:
    """organisation id -> the gemeenten (indices) it has a unit in; every gemeente gets exactly M units."""
    national = max(1, units_per_gemeente // 5)
    regional = max(1, units_per_gemeente // 3)
    local = units_per_gemeente - national - regional
    plan: dict[str, list[int]] = {f"landelijk-{k + 1}": list(range(n_gemeenten)) for k in range(national)}
    for region_start in range(0, n_gemeenten, REGION_SIZE):
        members = list(range(region_start, min(region_start + REGION_SIZE, n_gemeenten)))
        for k in range(regional):
            plan[f"regio-{region_start // REGION_SIZE + 1}-{k + 1}"] = members
    for g in range(n_gemeenten):
        for k in range(max(local, 0)):
            plan[f"lokaal-{g + 1}-{k + 1}"] = [g]
    # Small M can make national + regional exceed M; trim so every gemeente has exactly M units.
    counts = [0] * n_gemeenten
    trimmed: dict[str, list[int]] = {}
    for org, gemeenten in plan.items():
        kept = [g for g in gemeenten if counts[g] < units_per_gemeente]
        for g in kept:
            counts[g] += 1
        if kept:
            trimmed[org] = kept
    return trimmed


def write_study(data_dir: Path, name: str, n_gemeenten: int, units_per_gemeente: int, seed: int,
                template: str = "sturing-jeugdhulp") -> Path:
    rng = random.Random(seed)
    codebook = load_codebook(data_dir / template / "codebook.yaml")
    target = data_dir / name
    # Never replace a study folder: it may be a real study (its case data is not ours to delete), and
    # even an earlier synthetic one may have been edited since.
    if target.exists():
        raise FileExistsError(f"{target}: already exists; synth writes only a new study folder "
                              "(choose another --study, or remove the folder yourself)")
    (target / "gemeenten").mkdir(parents=True)
    (target / "aanbieders").mkdir()
    shutil.copy(data_dir / template / "codebook.yaml", target / "codebook.yaml")
    study = yaml.safe_load((data_dir / template / "study.yaml").read_text(encoding="utf-8"))
    study.update(id=name, title=f"Synthetische studie: {n_gemeenten} gemeenten x {units_per_gemeente} eenheden",
                 source_notes=[])
    study.pop("coding", None)  # the template's second coding belongs to the template's cases
    if isinstance(study.get("analysis", {}).get("qca"), dict):
        study["analysis"]["qca"]["consistency_threshold"] = CONSISTENCY  # see the module's docstring
    for crosstab in study.get("analysis", {}).get("crosstabs", []):
        crosstab.pop("author", None)  # the source's own counts are about the source's cases, not these
    study["source"] = {"author": "patroon synth", "year": 2026, "kind": "synthetic",
                       "title": f"Synthetic data, seed {seed}, codebook of {template}"}

    def dump(path: Path, payload: dict) -> None:
        path.write_text(yaml.dump(payload, Dumper=Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")

    dump(target / "study.yaml", study)
    gemeenten = [f"gemeente-{g + 1:03d}" for g in range(n_gemeenten)]
    for g, ident in enumerate(gemeenten):
        dump(target / "gemeenten" / f"{ident}.yaml",
             {"id": ident, "name": f"Gemeente {g + 1}", "kind": "gemeente", "coded": _coded(codebook, "case", rng)})
    periods = _reactions(codebook, study.get("analysis") or {}, rng)
    for org, members in plan_units(n_gemeenten, units_per_gemeente, rng).items():
        org_coded = _coded(codebook, "organisation", rng)
        units = []
        for g in members:
            coded = _coded(codebook, "unit", rng)
            units.append({"case": gemeenten[g], "name": f"{org} in {gemeenten[g]}", "coded": coded,
                          "reaction": periods({**org_coded, **coded})})
        dump(target / "aanbieders" / f"{org}.yaml",
             {"id": org, "name": org.replace("-", " ").title(), "kind": "aanbieder",
              "coded": org_coded, "units": units})
    return target
