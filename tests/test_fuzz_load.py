"""Property: any mutation of a valid case file gives a valid load or clean Problems, never an exception."""

import os
import shutil

from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError, Problem

EXAMPLES = int(os.environ.get("PATROON_FUZZ_EXAMPLES", "2000"))
ORIGINAL = (FIXTURES / "mini" / "aanbieders" / "org1.yaml").read_bytes()

mutations = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(ORIGINAL) - 1), st.integers(1, 40)),
    st.tuples(st.just("insert"), st.integers(0, len(ORIGINAL)), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("insert-text"), st.integers(0, len(ORIGINAL)),
              st.sampled_from([":", "- ", "\n", "  ", "&a ", "*a", "!!python/object ", "[", "{", "'", '"', "\t",
                               "~", "null", "-1", "1e9", "2020-01-01", "é", "\ufeff", "|", ">", "#", "%"])),
    st.tuples(st.just("swap-line"), st.integers(0, 200), st.integers(0, 200)),
)


def mutate(data: bytes, mutation) -> bytes:
    kind, a, b = mutation
    if kind == "delete":
        return data[:a] + data[a + b:]
    if kind == "insert":
        return data[:a] + b + data[a:]
    if kind == "insert-text":
        return data[:a] + b.encode() + data[a:]
    lines = data.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def test_mutated_case_file_loads_or_fails_cleanly(tmp_path):
    # One copy of the study; each example rewrites only the mutated file (copying per example is slow).
    study = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", study)
    check_mutations(study)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation_list=st.lists(mutations, min_size=1, max_size=3))
def check_mutations(study, mutation_list):
    data = ORIGINAL
    for mutation in mutation_list:
        data = mutate(data, mutation)
    (study / "aanbieders" / "org1.yaml").write_bytes(data)
    try:
        load_study(study, base=study.parent)
    except LoadError as exc:
        assert exc.problems and all(isinstance(p, Problem) and p.line >= 1 and p.message for p in exc.problems)


REAL = FIXTURES.parent.parent / "data" / "sturing-jeugdhulp"
REAL_EXAMPLES = max(20, EXAMPLES // 50)  # a real study with its two codings loads in ~0.3 s: fewer examples


def _mutations_of(original: bytes):
    return st.one_of(
        st.tuples(st.just("delete"), st.integers(0, len(original) - 1), st.integers(1, 40)),
        st.tuples(st.just("insert"), st.integers(0, len(original)), st.binary(min_size=1, max_size=12)),
        st.tuples(st.just("insert-text"), st.integers(0, len(original)),
                  st.sampled_from([":", "- ", "\n", "  ", "&a ", "*a", "[", "{", "'", '"', "~", "null", "1:30",
                                   "0755", "on", "\x07", "20200", "TODO", "é", "|", ">", "#"])),
        st.tuples(st.just("swap-line"), st.integers(0, 2000), st.integers(0, 2000)),
    )


def test_mutated_real_case_files_load_or_fail_cleanly(tmp_path):
    """The same property over the dissertation's own files (a gemeente and a provider with four units),
    with the two codings and the reconciliation that validate holds them to."""
    study = tmp_path / "data" / "sturing-jeugdhulp"
    shutil.copytree(REAL, study)
    for relative in ("gemeenten/rijn.yaml", "aanbieders/gezond-en-wel.yaml"):
        original = (REAL / relative).read_bytes()

        @settings(max_examples=REAL_EXAMPLES, deadline=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(mutation_list=st.lists(_mutations_of(original), min_size=1, max_size=3))
        def check(mutation_list):
            data = original
            for mutation in mutation_list:
                data = mutate(data, mutation)
            (study / relative).write_bytes(data)
            try:
                loaded = load_study(study, base=tmp_path)
            except LoadError as exc:
                assert exc.problems and all(isinstance(p, Problem) and p.line >= 1 and p.message for p in exc.problems)
                return
            from patroon.analysis.reconciliation import check_coding

            found = check_coding(study, loaded, tmp_path).problems
            assert all(isinstance(p, Problem) and p.line >= 1 and p.message for p in found)

        check()
        (study / relative).write_bytes(original)
