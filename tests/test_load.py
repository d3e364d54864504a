import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT

from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError, Problem, read_yaml

BAD = FIXTURES / "bad"
EXPECTED = yaml.safe_load((BAD / "expected.yaml").read_text())


def place(study_dir: Path, name: str, kind: str) -> Path:
    target = study_dir / ("gemeenten/a.yaml" if kind == "gemeente" else "aanbieders/org2.yaml")
    shutil.copy(BAD / name, target)
    return target


def test_corpus_is_large_enough():
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_one_clear_line(name, mini_copy):
    spec = EXPECTED[name]
    target = place(mini_copy, name, spec["kind"])
    with pytest.raises(LoadError) as caught:
        load_study(mini_copy, base=mini_copy.parent.parent)
    mine = [p for p in caught.value.problems if p.path.endswith(str(target.relative_to(mini_copy)))]
    assert mine, f"no problem reported for {target}: {caught.value.problems}"
    matching = [p for p in mine
                if (spec["field"] is None or p.field == spec["field"])
                and (spec["message"] is None or spec["message"] in p.message)]
    assert matching, f"expected {spec}, got {mine}"
    if spec["line"] is not None:
        assert matching[0].line == spec["line"], matching[0]


def test_problem_format_is_file_line_field_message():
    assert str(Problem("data/x/a.yaml", 7, "coded.x", "bad")) == "data/x/a.yaml:7: coded.x: bad"


def test_mini_loads(mini):
    assert set(mini.cases) == {"a", "b", "c"}
    assert sum(len(o.units) for o in mini.organisations.values()) == 5


def test_line_numbers_point_at_the_value(mini_copy):
    path = mini_copy / "gemeenten" / "b.yaml"
    text = path.read_text().replace("value: hoog", "value: extreem")
    path.write_text(text)
    expected_line = next(i for i, line in enumerate(text.splitlines(), 1) if "extreem" in line)
    with pytest.raises(LoadError) as caught:
        load_study(mini_copy, base=mini_copy.parent.parent)
    (problem,) = caught.value.problems
    assert problem.line == expected_line
    assert problem.field == "onzekerheid.value"


def test_duplicate_organisation_ids_are_refused(mini_copy):
    shutil.copy(mini_copy / "aanbieders" / "org2.yaml", mini_copy / "aanbieders" / "org9.yaml")
    with pytest.raises(LoadError) as caught:
        load_study(mini_copy, base=mini_copy.parent.parent)
    assert any("must equal the file name" in p.message for p in caught.value.problems)


def test_read_yaml_keeps_integers_and_text_only(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("a: 2020-01-01\nb: 1.5\nc: 3\n")
    document, problems = read_yaml(path)
    assert not problems
    assert document.data == {"a": "2020-01-01", "b": "1.5", "c": 3}


def test_cli_validate_prints_lines_and_no_traceback(mini_copy):
    place(mini_copy, "value-not-in-codebook.yaml", "gemeente")
    run = subprocess.run([sys.executable, "-m", "patroon", "validate", "--data", str(mini_copy.parent),
                          "--study", "mini"], capture_output=True, text=True, cwd=mini_copy.parent.parent)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines and all(line.count(":") >= 3 for line in lines)
    assert "gemeenten/a.yaml:" in lines[0] and "onzekerheid.value: 'middel' is not allowed" in lines[0]


def test_cli_validate_ok_on_mini():
    run = subprocess.run([sys.executable, "-m", "patroon", "validate", "--data", str(FIXTURES), "--study", "mini"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert "mini: valid (3 gemeenten, 4 aanbieders, 5 units)" in run.stdout


@pytest.mark.parametrize("place, shown", [
    ({"section": "4.4"}, "§4.4"),
    ({"section": "Bijlage 13"}, "Bijlage 13"),  # no section sign before text that is not a number
    ({"table": "Table 3.2", "page": 51}, "Table 3.2; p. 51"),
    ({"dataset": "LC, R package QCA", "row": "AU"}, "LC, R package QCA, rij AU"),
    ({"citation": "Lipset 1959, 80"}, "Lipset 1959, 80"),
])
def test_evidence_says_where_in_the_source_as_the_source_writes_it(place, shown):
    from patroon.analysis.tables import evidence_ref
    from patroon.data.models import Evidence

    assert evidence_ref(Evidence(text="paraphrase", **place)) == shown


@pytest.mark.parametrize("place, message", [
    ({}, "say where in the source"),
    ({"row": "AU", "page": 3}, "give `dataset` too"),
])
def test_evidence_without_a_place_is_refused(place, message):
    from pydantic import ValidationError

    from patroon.data.models import Evidence

    with pytest.raises(ValidationError, match=message):
        Evidence(text="paraphrase", **place)


def test_a_misspelt_value_gets_a_suggestion(mini_copy):
    path = mini_copy / "gemeenten" / "b.yaml"
    path.write_text(path.read_text().replace("value: hoog", "value: hooog"))
    with pytest.raises(LoadError) as caught:
        load_study(mini_copy, base=mini_copy.parent.parent)
    assert "did you mean 'hoog'?" in caught.value.problems[0].message
