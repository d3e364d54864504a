"""Names in study.yaml that refer to a column, value or block: checked at validate time against what
exists, with "did you mean". Each payload below used to pass `validate` and silently change a result
(a register verdict, the QCA runs, a block's counts)."""

from __future__ import annotations

import pytest
import yaml
from conftest import FIXTURES, ROOT

from patroon.analysis.blocks import run_blocks
from patroon.data.load import load_study
from patroon.data.names import block_table
from patroon.data.yamlfile import LoadError

STUDIES = [ROOT / "data" / s for s in ("netwerksamenwerking", "inkoop-jeugdhulp", "samenwerken-jeugdzorg",
                                       "waardevol-samenspel", "sturing-jeugdhulp")] + [FIXTURES / "vergelijk"]


@pytest.mark.parametrize("study", STUDIES, ids=lambda p: p.name)
@pytest.mark.parametrize("language", ["nl", "en"])
def test_block_table_foresees_every_column_and_value_the_analysis_computes(study, language):
    """The invariant that makes the register check sound: what `block_table` declares before the analysis
    covers what the analysis computes, in both languages."""
    data = load_study(study, base=study.parent.parent)
    for block, result in zip(data.study.analysis.blocks, run_blocks(data, language)):
        table = block_table(block, data.codebook, data.cases_of(block.kind))
        for column in result.table.columns:
            assert column in table.columns or table.open, (block.id, column)
            values = table.columns.get(column)
            if values is not None:
                unexpected = {str(v) for v in result.table[column]} - values
                assert not unexpected, (block.id, column, unexpected)


def _validate_with(study_dir, change) -> list[str]:
    path = study_dir / "study.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(LoadError) as refused:
        load_study(study_dir, base=study_dir.parent.parent)
    return [str(p) for p in refused.value.problems]


def _item(data, item_id):
    return next(i for i in data["reproduction"] if i["id"] == item_id)


@pytest.fixture()
def waardevol(tmp_path):
    import shutil

    shutil.copytree(ROOT / "data" / "waardevol-samenspel", tmp_path / "data" / "waardevol-samenspel")
    return tmp_path / "data" / "waardevol-samenspel"


@pytest.fixture()
def samenwerken(tmp_path):
    import shutil

    shutil.copytree(ROOT / "data" / "samenwerken-jeugdzorg", tmp_path / "data" / "samenwerken-jeugdzorg")
    return tmp_path / "data" / "samenwerken-jeugdzorg"


def _where_item(data):
    return next(i for i in data["reproduction"] if i.get("compare", {}).get("where"))


def _cells_item(data):
    return next(i for i in data["reproduction"] if i.get("compare", {}).get("cells"))


def _key_item(data):
    return next(i for i in data["reproduction"] if i.get("compare", {}).get("key"))


# (change, the expected line's field, a fragment of its message)
REGISTER = {
    "where column typo": (lambda d: _where_item(d)["compare"].update(where={"pases": "ja"}),
                          ".compare.where.pases", "'pases' is not a column of block"),
    "where value typo": (lambda d: _where_item(d)["compare"].update(where={"passes": "jaa"}),
                         ".compare.where.passes", "did you mean 'ja'?"),
    "where value of a case": (lambda d: _where_item(d)["compare"].update(where={"passes": "ja", "case": "z"}),
                              ".compare.where.case", "'z' is not a value of column 'case'"),
    "key column typo": (lambda d: _key_item(d)["compare"].update(
        key=["case", "variabel"], columns=["rank", "case", "variabel"],
        show={"index": "rank", "columns": "case", "values": "variabel"}), ".compare.key.1", "did you mean 'variable'"),
    "cell row column typo": (lambda d: _cells_item(d)["compare"]["cells"][0].update(row={"cas": "totaal",
                                                                                      "variable": "waarde.vertrouwen"}),
                             ".compare.cells.0.row.cas", "did you mean 'case'?"),
    "cell column typo": (lambda d: _cells_item(d)["compare"]["cells"][0].update(column="scor"),
                         ".compare.cells.0.column", "did you mean 'score'?"),
    "key listed twice": (lambda d: _key_item(d)["compare"].update(key=["case", "variable", "case"]),
                         ".compare.key.2", "column 'case' is listed twice"),
}


@pytest.mark.parametrize("case", sorted(REGISTER))
def test_register_names_are_checked_against_the_blocks_table(waardevol, case):
    change, field, fragment = REGISTER[case]
    problems = _validate_with(waardevol, change)
    found = [p for p in problems if f": reproduction." in p and field in p.split(": ")[1] and fragment in p]
    assert found, problems
    line = int(found[0].split(":")[1])
    assert line > 1 and found[0].startswith("data/waardevol-samenspel/study.yaml:")


def test_a_crosstab_cell_names_a_code_of_the_block(samenwerken):
    problems = _validate_with(samenwerken, lambda d: _cells_item(d)["compare"]["cells"][0].update(column="veiligheid-gezinn"))
    assert any("compare.cells.0.column: 'veiligheid-gezinn' is not a column of block" in p
               and "did you mean 'veiligheid-gezin'?" in p for p in problems), problems


def _block(data, kind):
    return next(b for b in data["analysis"]["blocks"] if b["type"] == kind)


# (study, change, the field of the expected line, a fragment of its message)
BLOCKS = {
    # netwerksamenwerking's Tabel 1: similar where a majority of regions has 'aanwezig'.
    "present typo": ("netwerksamenwerking", lambda d: _block(d, "matrix").update(present=["aanwezg"]),
                     "present.0", "did you mean 'aanwezig'"),
    "threshold values typo": ("samenwerken-jeugdzorg",
                              lambda d: _block(d, "threshold").update(values=["bevorderend", "belemmerend", "beid"]),
                              "values.2", "did you mean 'beide'?"),
    "threshold value twice": ("samenwerken-jeugdzorg",
                              lambda d: _block(d, "threshold").update(values=["beide", "beide"]),
                              "values.1", "value 'beide' is listed twice"),
    "continuum pole typo": ("inkoop-jeugdhulp", lambda d: _block(d, "continuum").update(left="npn"),
                            "left", "did you mean 'npm'"),
    "continuum both typo": ("inkoop-jeugdhulp", lambda d: _block(d, "continuum").update(both=["biede"]),
                            "both.0", "did you mean 'beide'?"),
    "group typo": ("waardevol-samenspel", lambda d: _block(d, "top-k")["variables"].update(groups=["waardee"]),
                   "variables.groups.0", "'waardee' is not a group of the codebook"),
    "prefix matching nothing": ("waardevol-samenspel",
                                lambda d: _block(d, "top-k").update(variables={"prefix": "waardes."}),
                                "variables.prefix", "no variable of the codebook starts with 'waardes.'"),
    "variable listed twice": ("waardevol-samenspel", lambda d: _block(d, "top-k").update(
        variables={"group": "waarde", "ids": ["waarde.vertrouwen", "waarde.vertrouwen"]}),
        "variables.ids.1", "variable 'waarde.vertrouwen' is listed twice"),
}


@pytest.mark.parametrize("case", sorted(BLOCKS))
def test_block_selections_and_codes_name_what_exists(tmp_path, case):
    import shutil

    study, change, field, fragment = BLOCKS[case]
    shutil.copytree(ROOT / "data" / study, tmp_path / "data" / study)
    problems = _validate_with(tmp_path / "data" / study, change)
    found = [p for p in problems if "analysis.blocks." in p and p.split(": ")[1].endswith(field) and fragment in p]
    assert found, problems
    assert found[0].startswith(f"data/{study}/study.yaml:") and int(found[0].split(":")[1]) > 1


@pytest.fixture()
def sturing(tmp_path):
    import shutil

    shutil.copytree(ROOT / "data" / "sturing-jeugdhulp", tmp_path / "data" / "sturing-jeugdhulp")
    return tmp_path / "data" / "sturing-jeugdhulp"


def _qca(d):
    return d["analysis"]["qca"]


QCA = {
    # The payload: values no calibration uses (7 of them gave 13,122 runs).
    "unused robustness values": (lambda d: _qca(d)["robustness"].update(
        {f"ongebruikt-{i}": [0, 1, "exclude"] for i in range(7)}), "analysis.qca.robustness.ongebruikt-0",
        "is not a value any condition's calibration uses"),
    "robustness typo": (lambda d: _qca(d)["robustness"].update(mixd=[0, 1]), "analysis.qca.robustness.mixd",
                        "did you mean 'mixed'?"),
    "membership twice": (lambda d: _qca(d)["robustness"].update(mixed=[0, 1, 1]),
                         "analysis.qca.robustness.mixed.2", "membership '1' is listed twice"),
    "no membership": (lambda d: _qca(d)["robustness"].update(mixed=[]), "analysis.qca.robustness.mixed",
                      "lists no membership"),
    "condition twice": (lambda d: _qca(d).update(conditions=_qca(d)["conditions"] + ["weten"]),
                        "analysis.qca.conditions.5", "condition 'weten' is listed twice"),
    "outcome value typo": (lambda d: _qca(d).update(outcome_value="volgne"), "analysis.qca.outcome_value",
                           "did you mean 'volgen'?"),
    "prediction rule value typo": (lambda d: d["analysis"]["prediction_rules"][0]["all_of"].append(
        {"variable": "weten", "values": ["plus"]}), "analysis.prediction_rules.0.all_of",
        "'plus' is not a value of 'weten'"),
    "coder twice": (lambda d: d["coding"].update(coders=["eerste", "eerste"]), "coding.coders.1",
                    "coder 'eerste' is listed twice"),
    "crosstab twice": (lambda d: d["analysis"]["crosstabs"].append(d["analysis"]["crosstabs"][0]),
                       "analysis.crosstabs.", "crosstab 'cluster-naar-case' is listed twice"),
}


@pytest.mark.parametrize("case", sorted(QCA))
def test_qca_settings_and_other_lists_name_what_exists_once(sturing, case):
    change, field, fragment = QCA[case]
    problems = _validate_with(sturing, change)
    found = [p for p in problems if field in p and fragment in p]
    assert found, problems
    assert found[0].startswith("data/sturing-jeugdhulp/study.yaml:") and int(found[0].split(":")[1]) > 1
