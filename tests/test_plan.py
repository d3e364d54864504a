"""patroon.pipeline.plan: a report's fingerprint covers exactly what shapes it, and the digest files that
tell Snakemake about them change only when their content does."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, REAL_DATA, ROOT

from patroon.data.load import load_study
from patroon.pipeline import plan as plans
from patroon.pipeline.build import study_layout

BASE = {"formats": ["html"], "language": "nl", "renderer": "pandoc+typst (test)", "privacy_file": None}


def plan_of(study_dir, state=None, **changes):
    settings = {**BASE, **changes}
    return plans.plan_study(study_dir, plans.settings(**settings), state)


@pytest.mark.parametrize("setting, value", [("formats", ["html", "pdf"]), ("language", "en"),
                                            ("renderer", "quarto (quarto 1.7.34)")])
def test_every_report_setting_changes_every_fingerprint(setting, value):
    before, after = plan_of(FIXTURES / "mini"), plan_of(FIXTURES / "mini", **{setting: value})
    assert all(before.fingerprint(s) != after.fingerprint(s) for s in before.stems)


def test_the_privacy_terms_are_part_of_every_fingerprint(tmp_path):
    terms = tmp_path / "privacy.yaml"
    terms.write_text("terms: [Iemand]\n")
    first = plan_of(FIXTURES / "mini", privacy_file=str(terms))
    terms.write_text("terms: [Iemand, Orgtwee]\n")
    second = plan_of(FIXTURES / "mini", privacy_file=str(terms))
    assert all(first.fingerprint(s) != second.fingerprint(s) for s in first.stems)
    assert plan_of(FIXTURES / "mini").settings["privacy"] is None


def test_a_provider_edit_changes_its_report_its_gemeenten_and_the_synthesis_only(mini_copy):
    """The mini study: org2 has one unit, in gemeente a (tests/fixtures/mini/aanbieders/org2.yaml)."""
    before = plan_of(mini_copy)
    path = mini_copy / "aanbieders" / "org2.yaml"
    path.write_text(path.read_text().replace("name: Orgtwee", "name: Orgtwee BV", 1))
    after = plan_of(mini_copy)
    changed = {s for s in before.stems if before.fingerprint(s) != after.fingerprint(s)}
    assert changed == {"aanbieders/org2", "gemeenten/a", "synthese"}


def test_in_a_study_without_organisations_every_case_report_depends_on_every_file(tmp_path):
    """Its case reports show their rows of study-wide comparisons (a matrix block's 'computed' column
    compares all cases), so one case's edit can change another's report."""
    study = tmp_path / "netwerksamenwerking"
    shutil.copytree(REAL_DATA / "netwerksamenwerking", study)
    before = plan_of(study)
    path = study / "regios" / "utrecht.yaml"
    path.write_text(path.read_text() + "\n# an edit\n")
    after = plan_of(study)
    assert all(before.fingerprint(s) != after.fingerprint(s) for s in before.stems)


@pytest.mark.parametrize("study", ["sturing-jeugdhulp", "samenwerken-jeugdzorg", "inkoop-jeugdhulp"])
def test_the_links_read_from_raw_files_are_those_of_the_validated_study(study, tmp_path):
    """The plan reads who works where from the raw files (cheap, cached); the loaded study is the truth.
    If they disagreed, an edit could leave a stale report behind."""
    data = load_study(REAL_DATA / study, base=ROOT)
    assert plan_of(REAL_DATA / study, state=tmp_path).layout == study_layout(data)
    # Again from the cache of links it wrote.
    assert (tmp_path / "links.json").exists()
    assert plan_of(REAL_DATA / study, state=tmp_path).layout == study_layout(data)


def test_digest_files_are_rewritten_only_when_their_content_changes(mini_copy, tmp_path):
    state = tmp_path / "state"
    plan = plan_of(mini_copy, state)
    written = plans.write_state(plan, state, shards=2)
    assert {p.name for p in written} >= {"data.json", "settings-tables.json", "reports-1-of-2.json",
                                         "reports-2-of-2.json"}
    assert plans.write_state(plan_of(mini_copy, state), state, shards=2) == []
    path = mini_copy / "aanbieders" / "org2.yaml"
    path.write_text(path.read_text().replace("name: Orgtwee", "name: Orgtwee BV", 1))
    changed = {p.name for p in plans.write_state(plan_of(mini_copy, state), state, shards=2)}
    # org2's report, gemeente a's and the synthesis: in the shards that hold them, and the data digest.
    shards = {plans.shard_file(state, i, 2).name for i in (1, 2)
              if {"aanbieders/org2", "gemeenten/a", "synthese"} & set(plan.shard(i, 2))}
    assert changed == {"data.json"} | shards
    changed = {p.name for p in plans.write_state(plan_of(mini_copy, state, language="en"), state, shards=2)}
    assert "settings-tables.json" in changed and "settings-validate.json" not in changed
