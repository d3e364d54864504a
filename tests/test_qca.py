import pandas as pd

from patroon import derive, patterns, qca


def test_prime_implicants_of_the_quine_mccluskey_textbook_example():
    # f(A,B,C,D) = sum m(4,8,10,11,12,15) + d(9,14), the worked example of the Quine-McCluskey method
    # (e.g. the Wikipedia article on the algorithm): prime implicants BC'D', AB', AD', AC.
    primes = qca.prime_implicants({4, 8, 10, 11, 12, 15}, {9, 14}, 4)
    names = {" * ".join(qca.term_names(p, list("ABCD"))) for p in primes}
    assert names == {"B * ~C * ~D", "A * ~B", "A * ~D", "A * C"}


def test_minimal_covers_of_the_textbook_example_are_the_two_known_solutions():
    primes = qca.prime_implicants({4, 8, 10, 11, 12, 15}, {9, 14}, 4)
    covers = qca.minimal_covers(primes, {4, 8, 10, 11, 12, 15}, 4)
    found = {frozenset(" * ".join(qca.term_names(p, list("ABCD"))) for p in c) for c in covers}
    assert found == {frozenset({"B * ~C * ~D", "A * ~B", "A * C"}), frozenset({"B * ~C * ~D", "A * ~D", "A * C"})}


def test_remainders_make_the_parsimonious_solution_simpler():
    # Hand-worked: observed A*B -> 1 (2 cases), ~A*~B -> 0; rows A*~B and ~A*B unobserved.
    data = pd.DataFrame({"unit_id": list("wxyz"), "A": [1, 1, 0, 0], "B": [1, 1, 0, 0], "Y": [1, 1, 0, 0]})
    result = qca.analyse(data, ["A", "B"], "Y")
    by_type = {s["type"]: s for s in result.solutions if s["alternative"] == 0}
    assert by_type["complex"]["terms"] == [["A", "B"]]
    parsimonious = [s["terms"] for s in result.solutions if s["type"] == "parsimonious"]
    assert [["A"]] in parsimonious and [["B"]] in parsimonious
    assert by_type["complex"]["consistency"] == 1.0 and by_type["complex"]["coverage"] == 1.0


def test_contradictions_and_consistency_threshold():
    data = pd.DataFrame({"unit_id": list("abc"), "A": [1, 1, 0], "Y": [1, 0, 0]})
    strict = qca.analyse(data, ["A"], "Y", threshold=1.0)
    row = strict.truth_table.set_index("A").loc[1]
    assert row["contradiction"] and row["consistency"] == 0.5 and row["outcome"] == 0
    assert strict.solutions[0]["terms"] == []
    lenient = qca.analyse(data, ["A"], "Y", threshold=0.5)
    assert lenient.solutions[0]["terms"] == [["A"]]
    assert lenient.solutions[0]["consistency"] == 0.5


def test_mini_study_qca_worked_by_hand(mini):
    result = patterns.run_qca(mini, derive.unit_frame(mini))
    for solution in result.solutions:
        assert sorted(solution["terms"]) == [["kunnen"], ["willen"]]
        assert solution["consistency"] == 1.0 and solution["coverage"] == 1.0
    necessity = result.necessity.set_index("condition")
    assert necessity.loc["willen", "consistency"] == round(2 / 3, 4)
    assert necessity.loc["~willen", "coverage"] == round(1 / 3, 4)
    assert result.truth_table["n"].sum() == 5


def test_term_order_does_not_depend_on_the_order_of_the_prime_implicants():
    """Python 3.11 hashes None by address, so a set of implicants iterates differently in every process;
    the solution's terms must come out the same whatever that order (the real study's solutions.json
    changed between runs before this was fixed)."""
    # Outcome when a OR b (2 conditions): primes (1, None) and (None, 1) tie on size.
    primes = [(1, None), (None, 1)]
    minterms = {0b01, 0b10, 0b11}
    forward = qca.minimal_covers(primes, minterms, 2)
    backward = qca.minimal_covers(list(reversed(primes)), minterms, 2)
    assert forward == backward == [[(1, None), (None, 1)]]  # conditions in their declared order
