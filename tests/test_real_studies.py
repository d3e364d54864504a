"""Invariants of every real study under data/: they must hold whatever the coded values are, so they
catch broken data or code without typing any result from the sources into a test."""

from __future__ import annotations

import pandas as pd
import pytest

from patroon.analysis import blocks
from patroon.data.load import load_study
from patroon.pipeline.stages import run_analysis, run_tables
from tests.conftest import REAL_DATA, ROOT

STUDIES = sorted(p.name for p in REAL_DATA.iterdir() if (p / "study.yaml").exists())


@pytest.fixture(scope="module", params=STUDIES)
def study(request):
    return load_study(REAL_DATA / request.param, base=ROOT)


def test_five_studies_are_present():
    assert len(STUDIES) == 5


def test_every_case_codes_every_variable_of_its_kind_with_evidence(study):
    for case in study.cases.values():
        expected = {v.id for v in study.codebook.variables
                    if v.level == "case" and (v.kinds is None or case.kind in v.kinds)}
        assert set(case.coded) == expected, case.id
        for variable_id, coded in case.coded.items():
            assert coded.evidence and all(e.text.strip() and e.section for e in coded.evidence), (case.id, variable_id)


def test_the_sources_inconsistencies_are_recorded(study):
    notes = list(study.study.source_notes) + [n for c in study.cases.values() for n in c.source_notes]
    notes += [n for o in study.organisations.values() for n in o.source_notes]
    assert notes, "each source has inconsistencies or gaps worth recording"
    assert all(n.readings and n.choice and n.reason for n in notes)


def test_block_tables_are_consistent_with_the_case_files(study):
    for block, result in zip(study.study.analysis.blocks, blocks.run_blocks(study)):
        cases = study.cases_of(block.kind)
        variables = block.variables.select(study.codebook, block.kind)
        table = result.table
        if block.type == "crosstab":
            assert table.set_index(table.columns[0]).loc["totaal", "totaal"] == len(cases) * len(variables), block.id
        elif block.type == "matrix":
            assert len(table) == len(variables) and set(cases) <= set(table.columns), block.id
        elif block.type == "threshold" and block.per == "case":
            assert len(table) == len(cases) * len(variables), block.id
            known = table[table["share"].notna()]
            assert (known["count"].astype(int) <= known["n"].astype(int)).all(), block.id
        elif block.type == "threshold":
            assert (table["count"] <= table["n"]).all() and (table["n"] == len(cases)).all(), block.id
        elif block.type == "top-k":
            for case_id, rows in table.groupby("case"):
                assert len(rows) >= min(block.k, len(variables)) or rows["score"].isna().any(), (block.id, case_id)
                assert (rows["rank"] <= block.k).all()
        elif block.type == "continuum":
            positions = table["position"].dropna()
            assert positions.between(-1, 1).all() and set(table["case"]) == set(cases), block.id


def test_analysis_writes_every_declared_table_and_the_contract_files(study, tmp_path):
    run_tables(study, tmp_path)
    written = run_analysis(study, tmp_path)
    for block in study.study.analysis.blocks:
        assert tmp_path / "tables" / f"{block.id}.csv" in written
    units = pd.read_csv(tmp_path / "units.csv")
    assert len(units) == (sum(len(o.units) for o in study.organisations.values()) or len(study.cases))
    assert (tmp_path / "codebook.qdc").exists() and (tmp_path / f"{study.study.id}.xlsx").exists()


def test_shared_values_contract_file(tmp_path):
    study = load_study(REAL_DATA / "waardevol-samenspel", base=ROOT)
    run_tables(study, tmp_path)
    run_analysis(study, tmp_path)
    shared = pd.read_csv(tmp_path / "tables" / "gedeelde-waarden.csv")
    assert list(shared.columns) == ["combination", "value"]
    letters = {c.name for c in study.cases_of("combinatie").values()}
    assert set(shared["combination"]) <= letters and not shared.duplicated().any()
    # The letters stay unjoined from the named combinations: no name of one appears in the other's file.
    names = {c.name for c in study.cases_of("samenwerkingsverband").values()}
    assert not names & set(shared["combination"])


def test_stories_belong_to_a_gemeente_of_the_study():
    study = load_study(REAL_DATA / "samenwerken-jeugdzorg", base=ROOT)
    stories = study.cases_of("verhaal")
    assert stories and all(study.cases[s.part_of].kind == "gemeente" for s in stories.values())


def test_render_job_sees_the_dependencies_snakemake_sees(study):
    """The render job takes each report's input files from the loaded study; Snakemake's DAG reads them
    from the raw files. If the two disagreed, an edit could leave a stale report behind."""
    from patroon.pipeline.build import study_layout
    from patroon.pipeline.workflow import layout

    assert study_layout(study) == layout(study.root)
