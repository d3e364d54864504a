"""Intercoder agreement: the measures against hand-worked examples, and a two-coder study built from the
mini fixture whose disagreements are known because the test makes them."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT

from patroon.analysis.agreement import (
    cluster_path,
    cohen_kappa,
    compare,
    krippendorff_alpha,
)
from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError


def test_cohen_kappa_matches_the_worked_example():
    # 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no. p_o = 35/50 = 0.7; p_e = (25*30 + 25*20)/2500 =
    # 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    first = ["ja"] * 25 + ["nee"] * 25
    second = ["ja"] * 20 + ["nee"] * 5 + ["ja"] * 10 + ["nee"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)


def test_kappa_is_undefined_when_both_coders_use_one_category():
    assert cohen_kappa(["+", "+"], ["+", "+"]) is None


def test_krippendorff_alpha_nominal_by_hand():
    # Units (a,a), (a,b), (b,b), (b,b): n = 8 values, n_a = 3, n_b = 5, one mismatching pair in each order.
    # alpha = 1 - (n - 1) * (o_ab + o_ba) / (2 * n_a * n_b) = 1 - 7 * 2 / 30 = 8/15.
    alpha = krippendorff_alpha(["a", "a", "b", "b"], ["a", "b", "b", "b"], "nominal")
    assert alpha == pytest.approx(float(Fraction(8, 15)))


def test_nominal_alpha_equals_the_krippendorff_package():
    # Random codings with few and with many values, and the pooled style of the real study (prefixed
    # values, most items agreeing).
    import random

    import krippendorff
    import numpy as np

    rng = random.Random(7)
    for n_items, n_values, agree in ((5, 2, 0.5), (40, 6, 0.7), (300, 120, 0.9)):
        first = [f"v{rng.randrange(n_values)}" for _ in range(n_items)]
        second = [a if rng.random() < agree else f"v{rng.randrange(n_values)}" for a in first]
        codes = {v: i for i, v in enumerate(sorted(set(first) | set(second)))}
        matrix = np.array([[codes[v] for v in first], [codes[v] for v in second]], dtype=float)
        reference = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert krippendorff_alpha(first, second, "nominal") == pytest.approx(reference, abs=1e-12)


def test_alpha_is_undefined_with_a_single_value():
    assert krippendorff_alpha(["x", "x"], ["x", "x"], "nominal") is None


def test_a_change_of_cluster_is_counted_only_between_different_clusters():
    assert cluster_path(["volgen", "volgen", "niet-volgen", "niet-volgen", "volgen"]) == ["volgen", "niet-volgen", "volgen"]


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture()
def two_coders(tmp_path):
    """The mini study with coders `a` (identical to the study's own files) and `b`, who differs in two
    places of unit org1-a: weten '-' instead of '+', and a first period of conformeren instead of negeren."""
    study = tmp_path / "data" / "mini"
    shutil.copytree(FIXTURES / "mini", study)
    for coder in ("a", "b"):
        for plural in ("gemeenten", "aanbieders"):
            shutil.copytree(study / plural, study / "coders" / coder / plural)

    def second_coder(data):
        unit = data["units"][0]
        assert unit["case"] == "a"
        unit["coded"]["weten"]["value"] = "-"
        unit["reaction"][0]["tactics"] = ["conformeren"]

    _edit(study / "coders" / "b" / "aanbieders" / "org1.yaml", second_coder)
    with (study / "study.yaml").open("a", encoding="utf-8") as handle:
        handle.write("coding:\n  coders: [a, b]\n")
    return study


def test_agreement_per_variable_by_hand(two_coders):
    first = load_study(two_coders, base=two_coders.parent.parent, coder="a")
    second = load_study(two_coders, base=two_coders.parent.parent, coder="b")
    comparison = compare(first, second, ("a", "b"))
    rows = comparison.per_variable.set_index("variable")
    # weten over the five units: a = + + + + -, b = - + + + -. Agreement 4/5; kappa: p_o 0.8, p_e =
    # (4*3 + 1*2)/25 = 0.56, kappa = 0.24/0.44 = 6/11; alpha: n = 10 (7 '+', 3 '-'), one mismatch:
    # 1 - 9 * 2 / (2 * 7 * 3) = 4/7.
    weten = rows.loc["weten"]
    assert (weten.n_items, weten.n_agree, weten.percent_agreement) == (5, 4, 80.0)
    assert weten.cohen_kappa == pytest.approx(6 / 11, abs=1e-3)
    assert weten.krippendorff_alpha == pytest.approx(4 / 7, abs=1e-3)
    # The first period moved from niet-volgen to volgen: the first cluster and the course differ, the
    # final cluster does not.
    assert rows.loc["reactie.eerste-cluster"].n_disagreements == 1
    assert rows.loc["reactie.verloop"].n_disagreements == 1
    assert rows.loc["reactie.cluster"].n_disagreements == 0
    found = {(r.variable, r.item, r.value_a, r.value_b) for r in comparison.disagreements.itertuples()}
    assert found == {("weten", "org1-a", "+", "-"),
                     ("reactie.eerste-cluster", "org1-a", "niet-volgen", "volgen"),
                     ("reactie.verloop", "org1-a", "niet-volgen > volgen", "volgen")}
    assert comparison.n_disagreements == 3


def test_validation_compares_without_the_measures_and_finds_the_same_disagreements(two_coders):
    first = load_study(two_coders, base=two_coders.parent.parent, coder="a")
    second = load_study(two_coders, base=two_coders.parent.parent, coder="b")
    full, bare = compare(first, second, ("a", "b")), compare(first, second, ("a", "b"), measures=False)
    assert bare.disagreements.equals(full.disagreements) and bare.n_disagreements == 3
    assert bare.per_variable.empty and not full.per_variable.empty


def test_a_value_one_coder_left_out_is_a_disagreement(two_coders):
    # A coder's independent coding may leave a variable out (it may predate the variable); the comparison
    # counts the gap against agreement. The study's own, reconciled files must code every variable.
    _edit(two_coders / "coders" / "b" / "aanbieders" / "org2.yaml",
          lambda data: data["units"][0]["coded"].pop("specialisatie"))
    first = load_study(two_coders, base=two_coders.parent.parent, coder="a")
    second = load_study(two_coders, base=two_coders.parent.parent, coder="b")
    rows = compare(first, second, ("a", "b")).disagreements
    missing = rows[(rows.variable == "specialisatie") & (rows.item == "org2")]
    assert missing.value_b.tolist() == ["ONTBREEKT"]


def _patroon(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "patroon", *args, "--data", "data", "--study", "mini"],
                          cwd=cwd, capture_output=True, text=True)


def test_validate_fails_until_every_disagreement_is_decided_and_carried_out(two_coders):
    root = two_coders.parent.parent
    result = _patroon("validate", cwd=root)
    assert result.returncode == 1
    assert "data/mini/reconciliation.yaml:1: file: missing: 3 disagreements" in result.stderr
    assert "Traceback" not in result.stderr

    decisions = [
        {"variable": "weten", "item": "org1-a", "values": {"a": "+", "b": "-"}, "decision": "-",
         "reason": "test", "source": "§1.1"},
        {"variable": "reactie.eerste-cluster", "item": "org1-a", "values": {"a": "niet-volgen", "b": "volgen"},
         "decision": "niet-volgen", "reason": "test", "source": "§1.1"},
    ]
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    result = _patroon("validate", cwd=root)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any("no decision for reactie.verloop of org1-a (a: 'niet-volgen > volgen', b: 'volgen')" in line
               for line in lines)
    # weten was decided '-', but the study's own file still says '+': the line of that value is named.
    assert any(line.startswith("data/mini/aanbieders/org1.yaml:") and ": weten: '+' differs from the reconciled "
               "decision '-'" in line for line in lines)

    decisions.append({"variable": "reactie.verloop", "item": "org1-a",
                      "values": {"a": "niet-volgen > volgen", "b": "volgen"},
                      "decision": "niet-volgen > volgen", "reason": "test", "source": "§1.1"})
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    _edit(two_coders / "aanbieders" / "org1.yaml", lambda data: data["units"][0]["coded"]["weten"].update(value="-"))
    result = _patroon("validate", cwd=root)
    assert result.returncode == 0, result.stderr


def test_a_decision_for_no_disagreement_is_refused(two_coders):
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": [
        {"variable": "willen", "item": "org1-a", "values": {"a": "+", "b": "-"}, "decision": "-",
         "reason": "x", "source": "§1"}]}), encoding="utf-8")
    result = _patroon("validate", cwd=two_coders.parent.parent)
    assert "the coders do not disagree on willen of org1-a (both coded '+')" in result.stderr


def _org1_decided(weten: str) -> list[dict]:
    """The three disagreements of `two_coders` on org1-a, decided (weten as given, the reaction as coder a)."""
    return [
        {"variable": "weten", "item": "org1-a", "values": {"a": "+", "b": "-"}, "decision": weten, "reason": "t", "source": "§1"},
        {"variable": "reactie.eerste-cluster", "item": "org1-a", "values": {"a": "niet-volgen", "b": "volgen"},
         "decision": "niet-volgen", "reason": "t", "source": "§1"},
        {"variable": "reactie.verloop", "item": "org1-a", "values": {"a": "niet-volgen > volgen", "b": "volgen"},
         "decision": "niet-volgen > volgen", "reason": "t", "source": "§1"},
    ]


def test_a_correction_of_an_agreed_value_is_logged_and_carried(two_coders):
    """Both coders agreed on willen '+' for org2; review against the chapter decides '-'. Allowed when the
    decision gives the agreed value for both coders, and the study's file must then carry '-'."""
    decisions = _org1_decided(weten="+") + [
        {"variable": "willen", "item": "org2", "values": {"a": "+", "b": "-"}, "decision": "-", "reason": "t", "source": "§1"},
    ]
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    result = _patroon("validate", cwd=two_coders.parent.parent)
    assert "the coders do not disagree on willen of org2 (both coded '+')" in result.stderr
    decisions[-1]["values"] = {"a": "+", "b": "+"}
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    result = _patroon("validate", cwd=two_coders.parent.parent)
    assert result.returncode == 1
    assert "data/mini/aanbieders/org2.yaml:" in result.stderr and "willen: '+' differs from the reconciled decision '-'" in result.stderr
    _edit(two_coders / "aanbieders" / "org2.yaml", lambda data: data["units"][0]["coded"]["willen"].update(value="-"))
    result = _patroon("validate", cwd=two_coders.parent.parent)
    assert result.returncode == 0, result.stderr
    result = _patroon("agreement", "--results", "results", cwd=two_coders.parent.parent)
    with (two_coders.parent.parent / "results" / "mini" / "agreement-verschillen.csv").open(encoding="utf-8") as handle:
        kinds = [(r["kind"], r["variable"], r["item"]) for r in csv.DictReader(handle)]
    assert ("correctie", "willen", "org2") in kinds and len(kinds) == 4


def test_a_later_round_re_decides_and_the_first_round_is_kept(two_coders):
    """Round 1 decides weten '-' for org1-a; a dated round 2 under revised rules re-decides '+'. The study's
    file must then carry '+', and the agreement table shows round 2 with what round 1 had decided."""
    first_round = _org1_decided(weten="-")
    second = {"round": 2, "date": "2026-12-07", "rules": "revised rule for weten",
              "decisions": [{"variable": "weten", "item": "org1-a", "values": {"a": "+", "b": "-"}, "decision": "+",
                             "reason": "revised", "source": "§2"}]}
    root = two_coders.parent.parent
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": first_round, "rounds": [second]}),
                                                    encoding="utf-8")
    # The study's file says '+' (round 2), not the '-' of round 1: valid.
    assert _patroon("validate", cwd=root).returncode == 0
    _patroon("agreement", "--results", "results", cwd=root)
    with (root / "results" / "mini" / "agreement-verschillen.csv").open(encoding="utf-8") as handle:
        rows = {(r["variable"], r["item"]): r for r in csv.DictReader(handle)}
    weten = rows[("weten", "org1-a")]
    assert (weten["decision"], weten["round"], weten["earlier_decision"]) == ("+", "2", "ronde 1: -")
    assert rows[("reactie.verloop", "org1-a")]["round"] == "1"

    _edit(two_coders / "aanbieders" / "org1.yaml", lambda data: data["units"][0]["coded"]["weten"].update(value="-"))
    result = _patroon("validate", cwd=root)
    assert "weten: '-' differs from the reconciled decision '+'" in result.stderr

    second["decisions"].append(dict(second["decisions"][0]))
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": first_round, "rounds": [second]}),
                                                    encoding="utf-8")
    assert "weten of org1-a is decided twice in round 2" in _patroon("validate", cwd=root).stderr

    second["round"] = 3
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": first_round, "rounds": [second]}),
                                                    encoding="utf-8")
    result = _patroon("validate", cwd=root)
    assert "rounds must be numbered 2, 3" in result.stderr and "Traceback" not in result.stderr


def test_agreement_command_writes_both_tables(two_coders):
    root = two_coders.parent.parent
    result = _patroon("agreement", "--results", "results", cwd=root)
    assert result.returncode == 0, result.stderr
    with (root / "results" / "mini" / "agreement.csv").open(encoding="utf-8") as handle:
        rows = {r["variable"]: r for r in csv.DictReader(handle)}
    assert rows["weten"]["percent_agreement"] == "80.0"
    assert rows["alle-variabelen"]["n_disagreements"] == "3"
    with (root / "results" / "mini" / "agreement-verschillen.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 3


def test_a_coder_file_is_checked_like_the_study_files(two_coders):
    _edit(two_coders / "coders" / "b" / "aanbieders" / "org2.yaml",
          lambda data: data["units"][0]["coded"]["weten"].update(value="misschien"))
    result = _patroon("validate", cwd=two_coders.parent.parent)
    assert result.returncode == 1
    assert "data/mini/coders/b/aanbieders/org2.yaml:" in result.stderr
    assert "'misschien' is not allowed" in result.stderr


def test_real_study_agreement_covers_every_unit():
    """Invariant on the real data: where a second coding exists, every unit's final cluster is compared."""
    study = ROOT / "data" / "sturing-jeugdhulp"
    main = load_study(study, base=ROOT)
    if main.study.coding is None:
        pytest.skip("no second coding declared")
    codings = [load_study(study, base=ROOT, coder=c) for c in main.study.coding.coders]
    comparison = compare(*codings, tuple(main.study.coding.coders))
    row = comparison.per_variable.set_index("variable").loc["reactie.cluster"]
    assert row.n_items == sum(len(o.units) for o in main.organisations.values())


def test_the_reconciled_coding_must_code_every_variable(two_coders):
    _edit(two_coders / "aanbieders" / "org2.yaml", lambda data: data["units"][0]["coded"].pop("specialisatie"))
    with pytest.raises(LoadError) as caught:
        load_study(two_coders, base=two_coders.parent.parent)
    assert any(p.path.endswith("aanbieders/org2.yaml") and "'specialisatie' is not coded" in p.message
               for p in caught.value.problems)
