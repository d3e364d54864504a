"""Accepted by each file's own checks, wrong together: validate must catch it, located, with no traceback
(the analysis used to crash later with a KeyError, or silently show a wrong result)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError


def _problems(study: Path) -> list[str]:
    with pytest.raises(LoadError) as caught:
        load_study(study, base=study.parent.parent)
    return [str(p) for p in caught.value.problems]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, expected", [
    ("    rows: age_class", "    rows: leeftijdsklasse",
     "study.yaml:86: analysis.crosstabs.1.rows: 'leeftijdsklasse' is not a column of the unit table"),
    ("    - willen\n    - kunnen\n    consistency", "    - willen\n    - kunen\n    consistency",
     "analysis.qca.conditions.1: 'kunen' is not a column of the rows of 'units'; did you mean 'kunnen'?"),
    ("  - cluster: niets-doen", "  - cluster: niks-doen", "analysis.prediction_rules.0.cluster: unknown cluster 'niks-doen'"),
    ("    - variable: onzekerheid\n      values:\n      - laag", "    - variable: onzekerheid\n      values:\n      - weinig",
     "analysis.steering_conditions.1.all_of.0.values: weinig not allowed for 'onzekerheid'"),
    ("    - variable: adaptief-vermogen", "    - variable: adaptief",
     "analysis.steering_conditions.0.all_of.0.variable: 'adaptief' is not a variable of the codebook"),
])
def test_study_yaml_names_only_what_exists(mini_copy, old, new, expected):
    _replace(mini_copy / "study.yaml", old, new)
    assert any(expected in p for p in _problems(mini_copy)), _problems(mini_copy)


@pytest.mark.parametrize("old, new, expected", [
    ("  over: gemeente\n  pattern: {type: co-occurrence", "  over: gemeenten\n  pattern: {type: co-occurrence",
     "study.yaml:42: propositions.1.over: 'gemeenten' is not a case kind of this study; expected one of: units, "
     "gemeente; did you mean 'gemeente'?"),
    ("rows: case_id, columns: cluster}", "rows: case_id, columns: clustr}",
     "study.yaml:35: propositions.0.pattern.columns: 'clustr' is not a column of the rows of 'units'; did you mean "
     "'cluster'"),
    ("    x: {column: steering_conditions_met}", "    x: {column: steering_conditions_mett}",
     "propositions.2.pattern.x.column: 'steering_conditions_mett' is not a column of the rows of 'gemeente'; did you "
     "mean 'steering_conditions_met'"),
    ("predicted: predicted_cluster, show: [case_id, weten",
     "predicted: predicted_cluster, show: [case_id, wetten",
     "propositions.3.pattern.show.1: 'wetten' is not a column of the rows of 'units'; did you mean 'weten'"),
    ("  over: gemeente\n  pattern:\n    type: rank", "  over: units\n  pattern:\n    type: rank",
     "propositions.2.pattern.x.column: 'steering_conditions_met' is not a column of the rows of 'units'"),
])
def test_propositions_name_only_what_exists(mini_copy, old, new, expected):
    _replace(mini_copy / "study.yaml", old, new)
    assert any(expected in p for p in _problems(mini_copy)), _problems(mini_copy)


def test_a_proposition_value_the_codebook_does_not_know_is_named_with_the_closest(mini_copy):
    study = yaml.safe_load((mini_copy / "study.yaml").read_text(encoding="utf-8"))
    study["propositions"].append({
        "id": "weinig-onzekerheid", "label": {"nl": "x", "en": "x"}, "statement": "s", "over": "gemeente",
        "pattern": {"type": "share", "condition": {"column": "onzekerheid", "values": ["lag"]}},
        "verdict": {"bevestigd": {"at_least": 0.5}}})
    (mini_copy / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = " | ".join(_problems(mini_copy))
    assert "propositions.4.pattern.condition.values: 'lag' not allowed for 'onzekerheid'" in found
    assert "did you mean 'laag'?" in found


def test_codebook_defines_nothing_twice_and_no_variable_named_like_a_column(mini_copy):
    codebook = mini_copy / "codebook.yaml"
    data = yaml.safe_load(codebook.read_text(encoding="utf-8"))
    data["tactics"].append(dict(data["tactics"][0]))
    data["clusters"].append(dict(data["clusters"][0]))
    variable = dict(next(v for v in data["variables"] if v["id"] == "context.inwoners"))
    variable["id"] = "name"
    data["variables"].append(variable)
    codebook.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found = " | ".join(_problems(mini_copy))
    assert "tactic: duplicate tactic 'niets-doen'" in found
    assert "cluster: duplicate cluster" in found
    assert "id: 'name' is a column of the unit and case tables" in found


def test_a_missing_kind_folder_is_not_a_valid_study_of_nothing(mini_copy):
    shutil.move(mini_copy / "gemeenten", mini_copy / "gemeente")
    assert any("unit_kinds.0: no case files in gemeenten/" in p for p in _problems(mini_copy))


def test_two_cases_with_one_name(mini_copy):
    _replace(mini_copy / "gemeenten" / "b.yaml", "name: ", "name: Alfa\nx_old_name: ")
    text = (mini_copy / "gemeenten" / "b.yaml").read_text(encoding="utf-8")
    (mini_copy / "gemeenten" / "b.yaml").write_text(
        "\n".join(l for l in text.splitlines() if not l.startswith("x_old_name")) + "\n", encoding="utf-8")
    assert any("gemeenten/b.yaml:1: name: the name is also that of 'a'" in p for p in _problems(mini_copy))


def test_a_unit_id_shared_by_two_organisations(mini_copy):
    # org1 has units in a and b: ids org1-a and org1-b. An organisation called org1-a with one unit has
    # unit id org1-a too: two rows with one id, and the wrong cluster shown.
    source = (mini_copy / "aanbieders" / "org2.yaml").read_text(encoding="utf-8")
    (mini_copy / "aanbieders" / "org1-a.yaml").write_text(source.replace("id: org2", "id: org1-a", 1), encoding="utf-8")
    assert any("unit id 'org1-a' is also a unit of" in p for p in _problems(mini_copy))


@pytest.mark.parametrize("name", ["c.yml", ".yaml", "c.YAML"])
def test_case_files_are_named_id_dot_yaml(mini_copy, name):
    shutil.copy(mini_copy / "gemeenten" / "c.yaml", mini_copy / "gemeenten" / name)
    assert any(f"gemeenten/{name}:1: file: case files are named <id>.yaml" in p for p in _problems(mini_copy))


def test_a_folder_named_like_a_case_file(mini_copy):
    (mini_copy / "gemeenten" / "d.yaml").mkdir()
    assert any("gemeenten/d.yaml:1: file: is a folder, not a file" in p for p in _problems(mini_copy))


def test_yaml_1_1_implicit_typing_does_not_change_text(mini_copy):
    # YAML 1.1 reads 1:30 as 90 and `on` as true; the loader follows YAML 1.2's core schema instead.
    path = mini_copy / "gemeenten" / "a.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("context.inwoners:")
    value_at = text.index("value:", start)
    end = text.index("\n", value_at)
    path.write_text(text[:value_at] + "value: 1:30" + text[end:], encoding="utf-8")
    _replace(path, "name: Alfa", "name: on")
    study = load_study(mini_copy, base=mini_copy.parent.parent)
    assert study.cases["a"].coded["context.inwoners"].value == "1:30"
    assert study.cases["a"].name == "on"


def test_two_blocks_cannot_write_one_file(tmp_path):
    from conftest import FIXTURES

    study = tmp_path / "data" / "vergelijk"
    shutil.copytree(FIXTURES / "vergelijk", study)
    data = yaml.safe_load((study / "study.yaml").read_text(encoding="utf-8"))
    blocks = data["analysis"]["blocks"]
    assert len(blocks) >= 2
    target = next((b for b in blocks if b.get("type") in ("threshold", "top-k")), None)
    if target is None:
        pytest.skip("fixture has no block with output_file")
    other = next(b for b in blocks if b is not target)
    target["output_file"] = f"{other['id']}.csv"
    (study / "study.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert any("output_file: '" in p and "is already the output of another block" in p for p in _problems(study))
