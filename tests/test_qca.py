"""patroon.analysis.qca against the reference implementation (R's QCA package: tests/fixtures/qca/expected.yaml holds
what its test snapshots print) and, where R prints nothing, against brute force."""

import itertools
import random
from pathlib import Path

import pandas as pd
import pytest
import yaml

from patroon.analysis import qca, qca_minimise, qca_study
from patroon.data import derive

FIXTURES = Path(__file__).parent / "fixtures" / "qca"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


def _run(name, outcome, **kwargs):
    spec = EXPECTED[name]
    data = pd.read_csv(FIXTURES / spec["data"])
    negate = outcome.startswith("~")
    return qca.analyse(data, spec["conditions"], spec["outcome"], case_column="case", negate=negate, **kwargs)


def _models(result, kind):
    return [s for s in result.solutions if s["type"] == kind]


# ------------------------------------------------------------------------------- published results of R


@pytest.mark.parametrize("name", ["d.represent", "LC"])
def test_truth_table_equals_r(name):
    spec = EXPECTED[name]
    table = _run(name, spec["outcome"]).truth_table.set_index("row")
    assert sorted(table.index) == sorted(spec["truth_table"]["rows"])
    for row, expected in spec["truth_table"]["rows"].items():
        assert [table.loc[row, "OUT"], table.loc[row, "n"], table.loc[row, "incl"]] == expected[:3]
        if len(expected) > 3:
            assert table.loc[row, "cases"] == expected[3]


def test_frequency_cutoff_turns_rare_rows_into_remainders_as_r_does():
    expected = EXPECTED["d.represent"]["truth_table_n_cut_2"]
    table = _run("d.represent", "WNP", n_cut=2).truth_table.set_index("row")
    assert {r: table.loc[r, "OUT"] for r in expected["kept"]} == expected["kept"]
    assert all(table.loc[r, "OUT"] == "?" for r in expected["removed"])


@pytest.mark.parametrize("outcome", ["WNP", "~WNP"])
def test_necessity_with_relevance_equals_r(outcome):
    expected = {k: v for k, v in EXPECTED["d.represent"]["necessity"][outcome].items() if k != "source"}
    table = _run("d.represent", outcome).necessity.set_index("condition")
    for condition, (incl, ron, cov) in expected.items():
        assert (table.loc[condition, "inclN"], table.loc[condition, "RoN"], table.loc[condition, "covN"]) == (incl, ron, cov), condition


def _reference_solutions():
    for name, spec in EXPECTED.items():
        for solution in spec["solutions"]:
            yield pytest.param(name, solution, id=f"{name}-{solution['outcome']}-{solution['type']}")


@pytest.mark.parametrize("name,expected", list(_reference_solutions()))
def test_every_model_equals_r(name, expected):
    result = _run(name, expected["outcome"])
    models = _models(result, expected["type"])
    assert [m["expression"] for m in models] == expected["models"]
    assert [m["model"] for m in models] == [f"M{i}" for i in range(1, len(models) + 1)]
    if "essential" in expected:
        assert all(m["essential"] == expected["essential"] for m in models)
    for model in models:
        details = {t["term"]: t for t in model["term_details"]}
        for term, (incl, cov) in expected.get("terms", {}).items():
            if term in details:
                assert (details[term]["inclS"], details[term]["covS"]) == (incl, cov), term
        for term, unique in expected.get("covU", {}).get(model["model"], {}).items():
            assert details[term]["covU"] == unique, (model["model"], term)
        if "fit" in expected:
            assert [model["consistency"], model["coverage"]] == expected["fit"][model["model"]]
        if "simplifying_assumptions" in expected:
            assert model["simplifying_assumptions"] == expected["simplifying_assumptions"][model["model"]]


def test_intermediate_solution_of_lipset_worked_by_hand():
    """R prints no intermediate solution for the crisp LC, so worked by hand (Ragin & Sonnett): complex
    DEV*~URB*LIT*STB + DEV*LIT*IND*STB, parsimonious DEV*STB, all five conditions expected present. ~URB goes
    against its expectation and is dropped; LIT and IND agree and stay: DEV*LIT*STB and DEV*LIT*IND*STB. Of the
    simplifying assumptions (rows 18, 20, 26, 28, 30) only row 30 (1 1 1 0 1) lies in DEV*LIT*STB: the one
    easy counterfactual. Minimising rows 22, 24, 32 with row 30 gives DEV*LIT*STB, the same as R's published
    intermediate solution for the fuzzy version of these data with the same expectations
    (_snaps/minimize.md: minimize(ttLF, include = "?", dir.exp = "1,1,1,1,1") -> DEV*LIT*STB)."""
    conditions = EXPECTED["LC"]["conditions"]
    result = _run("LC", "SURV", directional_expectations={c: 1 for c in conditions})
    [intermediate] = _models(result, "intermediate")
    assert intermediate["expression"] == "DEV*LIT*STB"
    assert intermediate["easy_counterfactuals"] == [30]
    assert intermediate["from"] == ["C1P1"]
    assert (intermediate["consistency"], intermediate["coverage"]) == (1.0, 1.0)


# ------------------------------------------------------------------------------------------ brute force


def _brute_primes(on: set[int], dc: set[int], n: int) -> set[tuple]:
    allowed = on | dc
    implicants = list(itertools.product((0, 1, None), repeat=n))
    cover = {p: {m for m in range(2 ** n) if qca_minimise.covers(p, m, n)} for p in implicants}
    valid = {p for p in implicants if cover[p] <= allowed and cover[p] & on}
    return {p for p in valid if not any(cover[p] < cover[q] for q in valid)}


def _brute_covers(primes, on: set[int], n: int) -> set[frozenset]:
    primes = list(primes)
    for size in range(1, len(primes) + 1):
        found = {frozenset(c) for c in itertools.combinations(primes, size)
                 if all(any(qca_minimise.covers(p, m, n) for p in c) for m in on)}
        if found:
            return found
    return set()


@pytest.mark.parametrize("seed", range(40))
def test_primes_and_models_equal_brute_force_on_random_functions(seed):
    rng = random.Random(seed)
    n = rng.choice([2, 3, 4])
    labels = [rng.choice(["on", "off", "dc"]) for _ in range(2 ** n)]
    on = {m for m, lab in enumerate(labels) if lab == "on"} or {0}
    dc = {m for m, lab in enumerate(labels) if lab == "dc"} - on
    primes = qca_minimise.prime_implicants(on, dc, n)
    assert set(primes) == _brute_primes(on, dc, n)
    models, truncated = qca_minimise.minimal_covers(primes, on, n)
    assert not truncated
    assert {frozenset(m) for m in models} == _brute_covers(primes, on, n)


def test_negated_represent_parsimonious_by_brute_force():
    """R's snapshots print only the complex solution of ~WNP; every parsimonious model must be a cover of the
    positive rows by the fewest prime implicants, and all of them must be reported."""
    result = _run("d.represent", "~WNP")
    table = result.truth_table
    n = 5
    bits = lambda row: int("".join(str(row[c]) for c in EXPECTED["d.represent"]["conditions"]), 2)  # noqa: E731
    on = {bits(r) for _, r in table.iterrows() if r["OUT"] == 1}
    off = {bits(r) for _, r in table.iterrows() if r["OUT"] == 0}
    primes = _brute_primes(on, set(range(2 ** n)) - on - off, n)
    expected = _brute_covers(primes, on, n)
    names = lambda p: qca_minimise.term_text(p, EXPECTED["d.represent"]["conditions"])  # noqa: E731
    found = {frozenset(t["term"] for t in m["term_details"]) for m in _models(result, "parsimonious")}
    assert found == {frozenset(names(p) for p in c) for c in expected}
    assert len(found) == 3


@pytest.mark.parametrize("seed", range(25))
def test_intermediate_lies_between_complex_and_parsimonious(seed):
    """Ragin & Sonnett: every intermediate model is a superset of the complex solution and a subset of the
    parsimonious one it came from, and covers no negative row; checked over all configurations."""
    rng = random.Random(100 + seed)
    n = 4
    conditions = list("ABCD")
    rows = []
    for m in rng.sample(range(16), 7):
        rows.append({**{c: (m >> (n - 1 - i)) & 1 for i, c in enumerate(conditions)}, "Y": rng.randint(0, 1), "case": str(m)})
    data = pd.DataFrame(rows)
    if data["Y"].nunique() < 2:
        return
    expectations = {c: rng.choice([0, 1, None]) for c in conditions}
    result = qca.analyse(data, conditions, "Y", case_column="case", directional_expectations=expectations)
    negatives = {int("".join(str(r[c]) for c in conditions), 2) for _, r in data.iterrows() if r["Y"] == 0}

    def region(solution):
        implicants = [tuple(None if f"~{c}" not in t and c not in t else (0 if f"~{c}" in t else 1) for c in conditions)
                      for t in solution["terms"]]
        return {m for m in range(16) if any(qca_minimise.covers(p, m, n) for p in implicants)}

    complex_region = region(_models(result, "complex")[0])
    parsimonious = {s["model"]: region(s) for s in _models(result, "parsimonious")}
    for solution in _models(result, "intermediate"):
        r = region(solution)
        assert complex_region <= r
        assert any(r <= parsimonious[f"M{source.split('P')[1]}"] for source in solution["from"])
        assert not r & negatives


# ------------------------------------------------------------------------------------------ refusals


def _tiny(**columns):
    return pd.DataFrame({"case": list("abcd"), "A": [1, 1, 0, 0], "B": [1, 0, 1, 0], "Y": [1, 1, 0, 0], **columns})


@pytest.mark.parametrize("column,values,message", [
    ("A", [1, None, 0, 0], "column 'A': case b has no value"),
    ("B", [2, 0, 1, 0], "column 'B': case a has 2"),
    ("A", [1, 0.7, 0, 0], "fuzzy membership"),
    ("Y", ["ja", 1, 0, 0], "column 'Y': case a has 'ja'"),
])
def test_bad_values_are_refused_naming_source_and_column(column, values, message):
    with pytest.raises(qca.QcaError, match=message) as caught:
        qca.analyse(_tiny(**{column: values}), ["A", "B"], "Y", case_column="case", source="units.csv")
    assert str(caught.value).startswith("units.csv: ")


def test_all_rows_positive_gives_the_complex_solution_and_refuses_the_parsimonious_as_r_does():
    # Every observed configuration (A,B) = 11, 10, 01, 00 has Y: R's minimize() gives the complex solution
    # (include = "" minimises the positive rows only: with all four rows positive, nothing is left of A or
    # B) and refuses include = "?" with "All truth table configurations are used, ...".
    result = qca.analyse(_tiny(Y=[1, 1, 1, 1]), ["A", "B"], "Y", case_column="case",
                         directional_expectations={"A": 1, "B": 1})
    assert result.refused == {"parsimonious": qca.R_ALL_USED, "intermediate": qca.R_ALL_USED}
    assert [s["type"] for s in result.solutions] == ["complex"]
    assert result.truth_table["OUT"].tolist() == [1, 1, 1, 1]
    # With three of the four configurations observed, the complex solution is A + B (rows 11, 10, 01).
    three = qca.analyse(_tiny(A=[1, 1, 0, 0], B=[1, 0, 1, 1], Y=[1, 1, 1, 1]), ["A", "B"], "Y", case_column="case")
    assert [s["expression"] for s in three.solutions] == ["A + B"]
    assert "parsimonious" in three.refused


def test_no_positive_row_is_refused_with_rs_message_not_given_consistency_none():
    result = qca.analyse(_tiny(Y=[0, 0, 0, 0]), ["A", "B"], "Y", case_column="case")
    assert result.solutions == [] and set(result.refused) == {"complex", "parsimonious"}
    assert result.refused["complex"] == "None of the values in OUT is explained. Please check the truth table."
    assert len(result.truth_table) == 4 and len(result.necessity) == 4  # what R prints before refusing
    # the outcome occurs, but no row is consistent
    assert qca.analyse(_tiny(Y=[1, 0, 1, 0]), ["A"], "Y", case_column="case").refused["complex"] == qca.R_NONE_EXPLAINED


# ------------------------------------------------------------------------------------ smaller classics


def test_prime_implicants_of_the_quine_mccluskey_textbook_example():
    # f(A,B,C,D) = sum m(4,8,10,11,12,15) + d(9,14), the worked example of the Quine-McCluskey method
    # (e.g. the Wikipedia article on the algorithm): prime implicants BC'D', AB', AD', AC.
    primes = qca_minimise.prime_implicants({4, 8, 10, 11, 12, 15}, {9, 14}, 4)
    names = {" * ".join(qca_minimise.term_names(p, list("ABCD"))) for p in primes}
    assert names == {"B * ~C * ~D", "A * ~B", "A * ~D", "A * C"}


def test_minimal_covers_of_the_textbook_example_are_the_two_known_solutions():
    primes = qca_minimise.prime_implicants({4, 8, 10, 11, 12, 15}, {9, 14}, 4)
    covers, _ = qca_minimise.minimal_covers(primes, {4, 8, 10, 11, 12, 15}, 4)
    found = {frozenset(" * ".join(qca_minimise.term_names(p, list("ABCD"))) for p in c) for c in covers}
    assert found == {frozenset({"B * ~C * ~D", "A * ~B", "A * C"}), frozenset({"B * ~C * ~D", "A * ~D", "A * C"})}


def test_contradictions_and_consistency_threshold():
    data = pd.DataFrame({"unit_id": list("abcd"), "A": [1, 1, 0, 0], "Y": [1, 0, 0, 0]})
    assert qca.analyse(data, ["A"], "Y", threshold=1.0).refused["complex"] == qca.R_NONE_EXPLAINED
    lenient = qca.analyse(data, ["A"], "Y", threshold=0.5)
    row = lenient.truth_table.set_index("A").loc[1]
    assert row["contradiction"] and row["incl"] == 0.5 and row["OUT"] == 1
    assert lenient.solutions[0]["terms"] == [["A"]]
    assert lenient.solutions[0]["consistency"] == 0.5


def test_mini_study_qca_worked_by_hand(mini):
    result = qca_study.run_qca(mini, derive.unit_frame(mini))
    for solution in result.solutions:
        assert sorted(solution["terms"]) == [["kunnen"], ["willen"]]
        assert solution["consistency"] == 1.0 and solution["coverage"] == 1.0
    necessity = result.necessity.set_index("condition")
    assert necessity.loc["willen", "inclN"] == round(2 / 3, 3)
    assert necessity.loc["~willen", "covN"] == round(1 / 3, 3)
    assert result.truth_table["n"].sum() == 5


def test_term_order_does_not_depend_on_the_order_of_the_prime_implicants():
    """Python 3.11 hashes None by address, so a set of implicants iterates differently in every process;
    the solution's terms must come out the same whatever that order."""
    primes = [(1, None), (None, 1)]
    minterms = {0b01, 0b10, 0b11}
    forward, _ = qca_minimise.minimal_covers(primes, minterms, 2)
    backward, _ = qca_minimise.minimal_covers(list(reversed(primes)), minterms, 2)
    assert forward == backward == [[(1, None), (None, 1)]]  # conditions in their declared order


def test_a_value_the_calibration_does_not_list_is_refused_naming_case_file_and_column(mini):
    import copy

    from patroon.data.yamlfile import LoadError

    data = copy.deepcopy(mini)
    data.study.analysis.qca.calibration["willen"] = {"+": 1}
    with pytest.raises(LoadError) as caught:
        qca_study.run_qca(data, derive.unit_frame(data))
    [problem] = caught.value.problems
    assert "aanbieders" in problem.path and problem.path.endswith(".yaml")
    assert problem.field == "willen" and "does not calibrate" in problem.message
    assert "analysis.qca.calibration.willen" in problem.message


def test_mini_study_calibration_table_and_robustness(mini):
    import copy

    data = copy.deepcopy(mini)
    analysis = data.study.analysis
    settings = analysis.qca.model_copy(update={"robustness": {"mixed": [0, 1]}})
    data.study = data.study.model_copy(update={"analysis": analysis.model_copy(update={"qca": settings})})
    result = qca_study.run_qca(data, derive.unit_frame(data))
    table = result.calibration
    assert set(table["condition"]) == {"willen", "kunnen", "volgen"}
    assert table[table["condition"] != "volgen"]["expectation"].eq("+").all()  # codebook: '+' favours following
    assert list(result.robustness["calibration"]) == ["mixed → 0", "mixed → 1"]
    assert list(result.robustness["in_use"]) == [True, False]
