"""Propositions and QCA in a study of cases only (tests/fixtures/landen: Lipset's crisp data on 18 countries),
and the measures, criteria and pattern types on small hand-made rows. Every expected number is worked out by
hand in the comment beside it."""

from __future__ import annotations

import math
import shutil

import pytest
import yaml
from conftest import FIXTURES, ROOT

from patroon.analysis import propositions, qca, qca_study
from patroon.analysis.propositions import types
from patroon.analysis.propositions.frames import Rows
from patroon.analysis.propositions.measures import Context, holds, measure
from patroon.data.load import load_study
from patroon.data.models import Criterion, Measure, Proposition
from patroon.data.yamlfile import LoadError
from patroon.pipeline.stages import analysis_results

SURVIVED = ["be", "cz", "fi", "fr", "ie", "nl", "se", "uk"]


@pytest.fixture(scope="module")
def landen():
    return load_study(FIXTURES / "landen", base=ROOT)


@pytest.fixture(scope="module")
def results(landen):
    return analysis_results(landen)


def _found(results) -> dict:
    return {r.id: r for r in results["propositions"]}


# ------------------------------------------------------------------------------- the cases-only study


def test_share_of_surviving_democracies_that_were_developed(results):
    # All eight survivors (FI IE FR SE BE CZ NL UK) have DEV = 1: 8 of 8.
    result = _found(results)["ontwikkeling-noodzakelijk"]
    assert result.observed.value == 1.0 and result.verdict == "bevestigd"
    assert sorted(result.observed.details["meeting"]) == SURVIVED
    assert result.agreement == "eens"


def test_signed_phi_of_development_and_survival(results):
    # DEV x SURV: hoog/ja 8, hoog/nee 2 (AU, DE), laag/ja 0, laag/nee 8.
    # phi = (8*8 - 2*0) / sqrt(10 * 8 * 8 * 10) = 64 / 80 = 0.8.
    result = _found(results)["ontwikkeling-en-overleving"]
    assert result.observed.statistic == "phi" and result.observed.value == 0.8
    assert result.observed.details["distribution"] == {"hoog": {"ja": 8, "nee": 2}, "laag": {"ja": 0, "nee": 8}}
    assert result.verdict == "bevestigd" and result.agreement is None


def test_rule_predicts_every_country_and_the_author_verdict_differs(results):
    # ja where DEV and STB are both hoog (the 8 survivors, no other country has both), else nee: 18 of 18.
    result = _found(results)["stabiel-en-ontwikkeld"]
    assert result.observed.value == 1.0 and result.observed.details["deviants"] == []
    assert result.verdict == "bevestigd" and result.agreement == "deels"  # the fixture's author says 'deels'


def test_rank_with_ties(results):
    # x = number of DEV URB LIT IND that are hoog: 0 (GR PT ES IT RO), 1 (HU PL EE), 2 (FI IE), 3 (AU FR SE),
    # 4 (DE BE CZ NL UK); y = SURV ordered nee < ja. Average ranks: x 3, 7, 9.5, 12, 16; y nee 5.5, ja 14.5;
    # both means 9.5. Sum of products of deviations: 5(-6.5)(-4) + 3(-2.5)(-4) + 0 + (2.5)(-4) + 2(2.5)(5)
    # + (6.5)(-4) + 4(6.5)(5) = 130 + 30 - 10 + 25 - 26 + 130 = 279; sums of squares 460 and
    # 10*16 + 8*25 = 360. rho = 279 / sqrt(460 * 360) = 0.6856.
    result = _found(results)["moderniteit-en-overleving"]
    assert result.observed.value == round(279 / math.sqrt(460 * 360), 4)
    assert result.verdict == "deels"
    order = result.observed.details["order"]
    assert [sorted(group) for group in order] == [["be", "cz", "de", "nl", "uk"], ["au", "fr", "se"], ["fi", "ie"],
                                                  ["ee", "hu", "pl"], ["es", "gr", "it", "pt", "ro"]]
    # Survivors before non-survivors within a tie; the discordant pairs: AU (3, nee) against FI and IE (2, ja),
    # DE (4, nee) against FI, IE, FR, SE.
    assert order[0][-1] == "de"
    assert len(result.observed.details["discordant_pairs"]) == 6
    assert result.observed.details["breaking_order"] == ["au", "de", "fi", "fr", "ie", "se"]


def test_co_occurrence_within_cases(results):
    # Survivors with both a hoog and a laag among DEV URB LIT IND: FI, IE (URB, IND laag), FR, SE (URB laag);
    # BE CZ NL UK are hoog everywhere: 4 of 8.
    result = _found(results)["overlevers-gemengd"]
    assert result.observed.value == 0.5 and result.verdict == "deels"
    assert sorted(result.observed.details["meeting"]) == ["fi", "fr", "ie", "se"]
    assert result.proposition.circular


def test_qca_over_the_cases_equals_the_hand_worked_and_published_solutions(results):
    # Positive rows: 10101 (FI IE), 10111 (FR SE), 11111 (BE CZ NL UK). 10101 + 10111 -> DEV*~URB*LIT*STB,
    # 10111 + 11111 -> DEV*LIT*IND*STB: both needed (the complex solution R prints for LC). Parsimonious DEV*STB.
    result = results["qca"]
    assert result.settings["over"] == "land"
    complex_ = [s["expression"] for s in result.solutions if s["type"] == "complex"]
    assert complex_ == ["ontwikkeling*~verstedelijking*geletterdheid*stabiliteit + "
                        "ontwikkeling*geletterdheid*industrialisatie*stabiliteit"]
    assert [s["expression"] for s in result.solutions if s["type"] == "parsimonious"] == ["ontwikkeling*stabiliteit"]
    assert result.truth_table["n"].sum() == 18 and result.refused == {}
    assert [s["expression"] for s in result.negated.solutions if s["type"] == "parsimonious"] == \
        ["~ontwikkeling + ~stabiliteit"]
    table = result.calibration.set_index(["condition", "value"])
    assert table.loc[("ontwikkeling", "hoog"), "cases"] == 10  # DEV = 1 in 10 countries


def _copy(tmp_path):
    target = tmp_path / "data" / "landen"
    shutil.copytree(FIXTURES / "landen", target)
    return target


def test_qca_no_positive_row_is_shown_as_r_refuses_it_and_the_build_goes_on(tmp_path):
    study_dir = _copy(tmp_path)
    study = yaml.safe_load((study_dir / "study.yaml").read_text(encoding="utf-8"))
    # Literacy alone: the LIT = 0 row (GR PT ES IT RO) has no survivor, the LIT = 1 row (the other 13) has
    # 8 survivors of 13 = 0.62, below the threshold 1: no row is positive, nothing to explain.
    study["analysis"]["qca"].update({"conditions": ["geletterdheid"], "negated_outcome": False,
                                     "calibration": {"geletterdheid": {"hoog": 1, "laag": 0}}})
    (study_dir / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = load_study(study_dir, base=tmp_path)
    result = qca_study.run_qca(data)
    assert result.solutions == [] and result.refused["complex"] == qca.R_NONE_EXPLAINED
    assert result.truth_table["incl"].tolist() == [0.0, round(8 / 13, 3)]
    from patroon.report import narrative
    from patroon.report.reader import Reader

    found = narrative.key_findings(Reader.of(data, "nl"), analysis_results(data))
    assert any(qca.R_NONE_EXPLAINED in f.text for f in found)


def test_qca_all_rows_positive_gives_the_complex_solution_only(tmp_path):
    study_dir = _copy(tmp_path)
    study = yaml.safe_load((study_dir / "study.yaml").read_text(encoding="utf-8"))
    # Every country recoded as a survivor: the nine observed configurations are all positive. R's minimize()
    # gives the complex solution and refuses the parsimonious and intermediate ones ("All truth table
    # configurations are used, all conditions are minimized.").
    for path in (study_dir / "landen").glob("*.yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("overleving: {value: nee", "overleving: {value: ja"),
                        encoding="utf-8")
    study["analysis"]["qca"]["negated_outcome"] = False
    (study_dir / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = load_study(study_dir, base=tmp_path)
    result = qca_study.run_qca(data)
    assert result.refused == {"parsimonious": qca.R_ALL_USED, "intermediate": qca.R_ALL_USED}
    assert result.solutions and {s["type"] for s in result.solutions} == {"complex"}


def test_a_qca_condition_the_case_kind_does_not_have_is_refused_by_validate(tmp_path):
    study_dir = _copy(tmp_path)
    text = (study_dir / "study.yaml").read_text(encoding="utf-8")
    (study_dir / "study.yaml").write_text(text.replace("conditions: [ontwikkeling, verstedelijking",
                                                       "conditions: [ontwikkelingen, verstedelijking"), encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_study(study_dir, base=tmp_path)
    messages = [str(p) for p in caught.value.problems]
    assert any(":72: analysis.qca.conditions.0: 'ontwikkelingen' is not a column of the rows of 'land'; did you "
               "mean 'ontwikkeling'?" in m for m in messages), messages


def test_the_cases_only_synthesis_opens_with_verdicts_and_has_propositions_and_qca(tmp_path):
    from patroon.cli import main

    assert main(["render", "--data", str(FIXTURES), "--study", "landen", "--reports", str(tmp_path),
                 "--results", str(tmp_path / "results"), "--report", "synthese", "--renderer", "pandoc",
                 "--formats", "html"]) == 0
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((tmp_path / "landen" / "synthese.html").read_text(encoding="utf-8"), "html.parser")
    for number in soup.select(".header-section-number"):
        number.decompose()
    headings = [" ".join(h.get_text().split()) for h in soup.find_all("h1")]
    assert headings[1] == "Belangrijkste bevindingen"  # after the title
    assert "Proposities: voorspeld en waargenomen patroon" in headings and "Crisp-set QCA" in headings
    findings = " ".join(soup.find(id="sec-bevindingen").get_text().split())
    assert "Overleven vereist ontwikkeling: bevestigd" in findings
    assert "De auteur: deels bevestigd; deels eens" in findings
    assert "QCA, intermediaire oplossing: overleving waar economische ontwikkeling en geletterdheid en " \
           "regeringsstabiliteit" in findings
    assert "gecodeerde waarden" not in findings  # no bookkeeping among the findings
    text = " ".join(soup.get_text().split())
    assert "Waarom: De fixture geeft de auteur" in text  # the sentence where the verdicts differ


# ----------------------------------------------------------------------------- measures and criteria


def _ctx(records, kind=None, missing=("onbekend", "niet-besproken")):
    return Context(None, Rows("x", "case_id", records, kind=kind), set(missing))


def test_criteria_are_true_false_or_unknown():
    row = {"case_id": "a", "p": "ja", "q": "onbekend", "n": 3}
    ctx = _ctx([row])

    def check(spec):
        return holds(ctx, row, Criterion.model_validate(spec))

    assert check({"column": "p", "values": ["ja"]}) is True
    assert check({"column": "p", "values": ["nee"]}) is False
    assert check({"column": "q", "values": ["ja"]}) is None  # unknown stays unknown
    assert check({"column": "q", "values": ["onbekend"]}) is True  # unless it is what is asked for
    assert check({"all_of": [{"column": "p", "values": ["nee"]}, {"column": "q", "values": ["ja"]}]}) is False
    assert check({"all_of": [{"column": "p", "values": ["ja"]}, {"column": "q", "values": ["ja"]}]}) is None
    assert check({"any_of": [{"column": "p", "values": ["ja"]}, {"column": "q", "values": ["ja"]}]}) is True
    assert check({"none_of": [{"column": "p", "values": ["nee"]}]}) is True
    assert check({"column": "n", "at_least": 3}) is True and check({"column": "n", "at_most": 2}) is False
    assert check({"column": "p", "same_as": "q"}) is None


def test_measures_share_count_position_rank():
    from patroon.data.models import Codebook

    codebook = Codebook.model_validate({
        "missing_codes": [{"code": "niet-besproken", "label": {"nl": "nb", "en": "nd"}}],
        "variables": [{"id": f"v.{x}", "level": "case", "group": "v", "type": "integer", "label": {"nl": x, "en": x},
                       "definition": "d", "indicator": "i"} for x in "abcd"]})
    from patroon.data.study_data import StudyData

    data = StudyData(ROOT, None, codebook)
    row = {"case_id": "r", "v.a": "npg", "v.b": "npm", "v.c": "beide", "v.d": "niet-besproken"}
    ctx = Context(data, Rows("x", "case_id", [row], kind="x"), {"niet-besproken"})

    def value(spec):
        return measure(ctx, row, Measure.model_validate(spec))

    # share of npg among the known values, beide counting half: (1 + 0.5) / 3 = 0.5
    assert value({"share": {"of": [{"group": "v"}], "values": ["npg"], "half": ["beide"]}}) == 0.5
    # position: npg 1 + 0.5, npm 1 + 0.5; (1.5 - 1.5) / 3 = 0 — the continuum block's rule
    assert value({"position": {"of": {"group": "v"}, "left": "npm", "right": "npg", "both": ["beide"]}}) == 0
    assert value({"count": {"of": {"group": "v"}, "values": ["npm", "beide"]}}) == 2
    scores = {"case_id": "s", "v.a": 3, "v.b": 3, "v.c": 1, "v.d": 0}
    ranks = Context(data, Rows("x", "case_id", [scores], kind="x"), set())
    best = Measure.model_validate({"rank_in": {"variable": "v.a", "among": {"group": "v"}}})
    worst = Measure.model_validate({"rank_in": {"variable": "v.a", "among": {"group": "v"}, "ties": "worst"}})
    assert measure(ranks, scores, best) == 1 and measure(ranks, scores, worst) == 2  # tied first with v.b


def _proposition(pattern, **extra) -> Proposition:
    return Proposition.model_validate({"id": "p", "label": {"nl": "p", "en": "p"}, "statement": "s", "over": "x",
                                       "pattern": pattern, "verdict": {"bevestigd": {"at_least": 0.5}}, **extra})


def test_difference_between_groups_mean_and_gap():
    records = [{"case_id": c, "g": g, "s": s} for c, g, s in
               (("a", "pos", 1.0), ("b", "pos", 0.8), ("c", "neg", 0.5), ("d", "neg", 0.1))]
    ctx = _ctx(records)
    spec = {"type": "difference", "measure": {"column": "s"}, "high": {"column": "g", "values": ["pos"]},
            "low": {"column": "g", "values": ["neg"]}}
    mean = types.difference(ctx, records, _proposition(spec).pattern)
    assert mean.value == 0.6  # (1.0 + 0.8) / 2 - (0.5 + 0.1) / 2 = 0.9 - 0.3
    gap = types.difference(ctx, records, _proposition({**spec, "statistic": "gap"}).pattern)
    assert gap.value == 0.3  # lowest of the high group 0.8 minus highest of the low group 0.5
    empty = types.difference(ctx, records[:2], _proposition(spec).pattern)
    assert empty.value is None and empty.reason == "empty-group"


def test_checks_count_each_prediction_and_name_the_failing_row():
    records = [{"case_id": "a", "p": "ja", "q": "nee"}, {"case_id": "b", "p": "nee", "q": "nee"},
               {"case_id": "c", "p": "onbekend", "q": "ja"}]
    ctx = _ctx(records)
    pattern = _proposition({"type": "rule", "checks": [
        {"when": {"column": "case_id", "values": ["a", "c"]}, "then": {"column": "p", "values": ["ja"]}},
        {"then": {"column": "q", "values": ["nee"]}}]}).pattern
    found = types.prediction(ctx, records, pattern)
    # check 1: a holds, c unknown; check 2: a, b hold, c fails -> 3 of 4 judged hold
    assert (found.details["n_correct"], found.n) == (3, 4)
    assert found.details["deviants"] == [{"case_id": "c", "check": 2}]
    assert found.unknown == ["c#1"]


def test_no_variation_cannot_be_tested_and_says_why():
    records = [{"case_id": c, "x": 1, "y": y} for c, y in (("a", 1), ("b", 2), ("c", 3))]
    found = types.rank(_ctx(records), records, _proposition(
        {"type": "rank", "x": {"column": "x"}, "y": {"column": "y"}}).pattern)
    assert found.value is None and found.reason == "no-variation"
    assert propositions.verdict(found.value, _proposition({"type": "rank", "x": {"column": "x"},
                                                           "y": {"column": "y"}}).verdict) == "niet-te-toetsen"


def test_verdict_ranges_read_both_ways():
    negative = Proposition.model_validate({
        "id": "p", "label": {"nl": "p", "en": "p"}, "statement": "s", "over": "x",
        "pattern": {"type": "rank", "x": {"column": "x"}, "y": {"column": "y"}, "direction": "negative"},
        "verdict": {"bevestigd": {"at_most": -0.8}, "deels": {"at_most": -0.4}}})
    assert propositions.verdict(-1.0, negative.verdict) == "bevestigd"
    assert propositions.verdict(-0.5, negative.verdict) == "deels"
    assert propositions.verdict(0.2, negative.verdict) == "verworpen"
    exact = Proposition.model_validate({
        "id": "p", "label": {"nl": "p", "en": "p"}, "statement": "s", "over": "x",
        "pattern": {"type": "share", "statistic": "count", "condition": {"column": "x", "values": ["a"]}},
        "verdict": {"bevestigd": {"at_least": 2, "at_most": 2}}})
    assert [propositions.verdict(v, exact.verdict) for v in (1, 2, 3)] == ["verworpen", "bevestigd", "verworpen"]
    assert propositions.agreement("bevestigd", "verworpen") == "oneens"
    assert propositions.agreement("deels", "bevestigd") == "deels"
    assert propositions.agreement("niet-te-toetsen", "bevestigd") == "niet-vergelijkbaar"
