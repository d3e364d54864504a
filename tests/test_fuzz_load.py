"""Property: any mutation of a valid case file gives a valid load or clean Problems, never an exception."""

import os
import shutil
import subprocess
import sys

import pytest
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


# ------------------------------------------------------------------------ large and deep inputs
# Each payload once crashed or hung a reader: 40,000 nested brackets overflowed libyaml's C composer
# (exit 139, no message), a 5,000-digit number raised Python's int-conversion ValueError. Every YAML file
# patroon reads goes through one reader, so each payload is tried in each kind of file, through the
# command that reads it, in a subprocess (a segmentation fault kills the process that has it).

DEEP = 40_000
PAYLOADS = {
    "nested flow sequences": "[" * DEEP + "]" * DEEP,
    "nested flow mappings": "{a: " * DEEP + "b" + "}" * DEEP,
    "unclosed brackets": "[" * DEEP,
    "compact block sequences": "\n" + "- " * DEEP + "x",
    "deep indentation": "\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(300)) + " " * 301 + "x",
    "5,000-digit number": "9" * 5000,
    "100,000-digit hex number": "0x" + "f" * 100_000,
}


def _run(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "patroon", *args], cwd=cwd, capture_output=True, text=True)


def _refused(result: subprocess.CompletedProcess, file: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])  # 139: segmentation fault
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    line = next((l for l in result.stderr.splitlines() if l.startswith(file + ":")), None)
    assert line is not None, result.stderr[-2000:]
    return line


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("where", ["case file", "codebook", "study.yaml", "reconciliation", "privacy list",
                                   "config"])
def test_large_and_deep_yaml_is_refused_with_its_line_in_every_file(tmp_path, where, payload):
    root = tmp_path
    study = root / "data" / "mini"
    shutil.copytree(FIXTURES / "mini", study)
    (root / "config").mkdir()
    (root / "config" / "config.yaml").write_text("studies: [mini]\n")
    args = ["validate", "--data", "data", "--study", "mini"]
    if where == "reconciliation":
        for coder in ("a", "b"):
            for plural in ("gemeenten", "aanbieders"):
                shutil.copytree(study / plural, study / "coders" / coder / plural)
        with (study / "study.yaml").open("a") as handle:
            handle.write("coding:\n  coders: [a, b]\n")
    files = {"case file": "data/mini/gemeenten/b.yaml", "codebook": "data/mini/codebook.yaml",
             "study.yaml": "data/mini/study.yaml", "reconciliation": "data/mini/reconciliation.yaml",
             "privacy list": "privacy.yaml", "config": "config/config.yaml"}
    target = root / files[where]
    before = target.read_text() if target.exists() else ""
    key = {"privacy list": "terms", "config": "formats", "reconciliation": "decisions"}.get(where, "source_notes")
    text = PAYLOADS[payload]
    target.write_text(before + f"{key}: {text}\n" if where != "privacy list" else f"terms: {text}\n")
    if where == "privacy list":
        args = ["tables", "--data", "data", "--study", "mini", "--privacy", "privacy.yaml", "--results", "results"]
    if where == "config":
        args = ["validate", "--data", "data"]  # the studies come from the config
    result = _run(*args, cwd=root)
    line = _refused(result, files[where])
    first = len(before.splitlines()) + 1  # the line of `key:`; the payload may run over the next lines
    assert first <= int(line.split(":")[1]) <= first + text.count("\n"), line
    assert not (root / "results").exists()  # nothing half-written
