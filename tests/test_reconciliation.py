"""Reconciliation gaps: every value of the study's own coding is what both coders coded or a recorded
decision, and a coder's folder that lacks a case file is one located problem. Built on the two-coder mini
study of test_agreement (coder `a` equals the study's files; `b` differs in three items of org1-a)."""

from __future__ import annotations

import pytest
import yaml
from test_agreement import _edit, _patroon, two_coders  # noqa: F401  (two_coders is a fixture)

# The three disagreements of the fixture, decided for coder a, whose values the study's files carry.
SETTLED = [
    {"variable": "weten", "item": "org1-a", "values": {"a": "+", "b": "-"}, "decision": "+"},
    {"variable": "reactie.eerste-cluster", "item": "org1-a", "values": {"a": "niet-volgen", "b": "volgen"},
     "decision": "niet-volgen"},
    {"variable": "reactie.verloop", "item": "org1-a", "values": {"a": "niet-volgen > volgen", "b": "volgen"},
     "decision": "niet-volgen > volgen"},
]


@pytest.fixture()
def settled(two_coders):  # noqa: F811
    decisions = [{**d, "reason": "r", "source": "§1.1"} for d in SETTLED]
    (two_coders / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    result = _patroon("validate", cwd=two_coders.parent.parent)
    assert result.returncode == 0, result.stderr
    return two_coders


def _unit(data):
    return data["units"][0]


def _reaction(tactics):
    return lambda data: _unit(data)["reaction"][0].update(tactics=tactics)


# Where the study's own files change a value both coders gave alike, with no decision for it: a unit
# variable, an organisation variable, an integer, a case variable, and a reaction whose derived clusters
# change (org3's only period negeren+uitdagen is niet-volgen; conformeren makes it volgen).
CHANGED = {
    "unit value": ("aanbieders/org2.yaml", lambda d: _unit(d)["coded"]["willen"].update(value="-"),
                   "willen: '-' differs from what both coders coded for org2 ('+')"),
    "organisation value": ("aanbieders/org2.yaml", lambda d: d["coded"]["omvang"].update(value="groot"),
                           "omvang: 'groot' differs from what both coders coded for org2 ('klein')"),
    "integer": ("aanbieders/org2.yaml", lambda d: d["coded"]["opgericht"].update(value=2011),
                "opgericht: '2011' differs from what both coders coded for org2 ('2010')"),
    "case value": ("gemeenten/b.yaml", lambda d: d["coded"]["onzekerheid"].update(value="laag"),
                   "onzekerheid: 'laag' differs from what both coders coded for b ('hoog')"),
    "reaction": ("aanbieders/org3.yaml", _reaction(["conformeren"]),
                 "reactie.cluster: 'volgen' differs from what both coders coded for org3 ('niet-volgen')"),
}


@pytest.mark.parametrize("case", sorted(CHANGED))
def test_a_value_neither_coder_gave_without_a_decision_fails_validate(settled, case):
    relative, change, message = CHANGED[case]
    _edit(settled / relative, change)
    result = _patroon("validate", cwd=settled.parent.parent)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if message in line]
    assert len(lines) == 1, result.stderr
    # Located at the changed value in the study's own file, naming the missing decision.
    assert lines[0].startswith(f"data/mini/{relative}:")
    assert int(lines[0].split(":")[1]) > 1
    assert "reconciliation.yaml records no decision for it" in lines[0]


def test_a_recorded_decision_makes_the_changed_value_valid(settled):
    """The same change as above with a correction decision for it (both coders' equal value, and the
    decided one) passes: the main coding is a recorded decision."""
    _edit(settled / "aanbieders" / "org2.yaml", lambda d: _unit(d)["coded"]["willen"].update(value="-"))
    decisions = yaml.safe_load((settled / "reconciliation.yaml").read_text())["decisions"]
    decisions.append({"variable": "willen", "item": "org2", "values": {"a": "+", "b": "+"}, "decision": "-",
                      "reason": "review against the chapter", "source": "§1.1"})
    (settled / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    result = _patroon("validate", cwd=settled.parent.parent)
    assert result.returncode == 0, result.stderr


def test_a_unit_neither_coder_coded_is_refused(settled):
    """The study's org1 has a unit in b that both coders left out: each of its values was given by no one."""
    for coder in ("a", "b"):
        _edit(settled / "coders" / coder / "aanbieders" / "org1.yaml", lambda d: d.update(units=d["units"][:1]))
    result = _patroon("validate", cwd=settled.parent.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "data/mini/aanbieders/org1.yaml:" in result.stderr
    assert "for org1-b was coded by neither coder (a, b)" in result.stderr


@pytest.mark.parametrize("missing", ["a/aanbieders/org2.yaml", "b/gemeenten/c.yaml", "a/gemeenten/a.yaml"])
def test_a_coder_folder_without_a_case_file_is_a_located_problem(settled, missing):
    """A gemeente file missing makes units elsewhere point at an unknown gemeente too; the missing file is
    named first, and no KeyError escapes (a decision for an item only the other coder has used to crash)."""
    (settled / "coders" / missing).unlink()
    coder, name = missing.split("/", 1)
    other = "b" if coder == "a" else "a"
    result = _patroon("validate", cwd=settled.parent.parent)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert result.stderr.splitlines()[0] == (
        f"data/mini/coders/{missing}:1: file: missing: coder '{coder}' has no {name} "
        f"(coder '{other}' has data/mini/coders/{other}/{name})")


def test_a_decision_for_a_value_the_first_coder_left_out_is_checked_not_a_crash(settled):
    """Coder a left out org2's year; b coded it. The decision (ONTBREEKT against 2010) is a normal one."""
    _edit(settled / "coders" / "a" / "aanbieders" / "org2.yaml", lambda d: d["coded"].pop("opgericht"))
    decisions = yaml.safe_load((settled / "reconciliation.yaml").read_text())["decisions"]
    decisions.append({"variable": "opgericht", "item": "org2", "values": {"a": "ONTBREEKT", "b": 2010},
                      "decision": 2011, "reason": "r", "source": "§1.1"})
    (settled / "reconciliation.yaml").write_text(yaml.safe_dump({"decisions": decisions}), encoding="utf-8")
    result = _patroon("validate", cwd=settled.parent.parent)
    assert "Traceback" not in result.stderr, result.stderr
    assert "opgericht: '2010' differs from the reconciled decision '2011' for org2" in result.stderr
