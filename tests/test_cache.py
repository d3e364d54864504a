"""The study cache of a build (patroon.data.cache): a valid study loaded once is loaded again from the
cache while none of its files changed, never when one did, and a study with problems is never kept."""

from __future__ import annotations

import pickle

import pytest

from patroon.data import cache, load
from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError


@pytest.fixture()
def counted(monkeypatch, tmp_path):
    """Loads that really read the files, counted; the cache in tmp_path/state."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "state"))
    calls = []
    real = load._load_study

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(load, "_load_study", counting)
    return calls


def test_a_second_load_of_unchanged_files_comes_from_the_cache(mini_copy, counted):
    first = load_study(mini_copy)
    second = load_study(mini_copy)
    assert len(counted) == 1
    assert second.study == first.study and second.cases == first.cases
    assert second.organisations == first.organisations


def test_an_edited_file_is_read_again(mini_copy, counted):
    load_study(mini_copy)
    case = sorted((mini_copy / "gemeenten").glob("*.yaml"))[0]
    case.write_text(case.read_text(encoding="utf-8").replace("\nname: ", "\nname: Bewerkt ", 1), encoding="utf-8")
    again = load_study(mini_copy)
    assert len(counted) == 2
    assert again.cases[case.stem].name.startswith("Bewerkt ")


def test_a_new_file_or_another_language_is_read_again(mini_copy, counted):
    load_study(mini_copy)
    load_study(mini_copy, language="en")
    assert len(counted) == 2
    (mini_copy / "notes.txt").write_text("a note beside the study", encoding="utf-8")
    load_study(mini_copy)
    assert len(counted) == 3


def test_a_study_with_problems_is_never_kept(mini_copy, counted, tmp_path):
    (mini_copy / "codebook.yaml").write_text("variables: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(LoadError):
            load_study(mini_copy)
    assert len(counted) == 2
    assert not list((tmp_path / "state").rglob("*.pickle"))


def test_a_damaged_cache_file_is_read_past(mini_copy, counted, tmp_path):
    load_study(mini_copy)
    (stored,) = (tmp_path / "state").rglob("*.pickle")
    stored.write_bytes(stored.read_bytes()[:100])
    load_study(mini_copy)
    assert len(counted) == 2
    with open(stored, "rb") as handle:
        key, data = pickle.load(handle), pickle.load(handle)
    assert key == cache.study_key(mini_copy, None, "nl") and data.study.id == "mini"


def test_without_the_setting_nothing_is_kept(mini_copy, monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    load_study(mini_copy)
    assert not list(tmp_path.rglob("*.pickle"))


def test_stages_that_ask_at_once_load_the_study_once(mini_copy, monkeypatch, tmp_path):
    """Four processes load the same study at the same moment (as a build's stages do): one reads the files,
    the others wait for it and take what it kept."""
    import multiprocessing

    monkeypatch.setenv(cache.ENV, str(tmp_path / "state"))
    marks = tmp_path / "reads"
    marks.mkdir()
    real = load._load_study

    def marking(*args):
        (marks / str(multiprocessing.current_process().pid)).write_text("read")
        return real(*args)

    monkeypatch.setattr(load, "_load_study", marking)
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=load_study, args=(mini_copy,)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    assert [p.exitcode for p in processes] == [0, 0, 0, 0]
    assert len(list(marks.iterdir())) == 1


def test_what_a_killed_writer_left_goes_with_the_next_write(mini_copy, counted, tmp_path):
    load_study(mini_copy)
    (stored,) = (tmp_path / "state").rglob("*.pickle")
    left = stored.parent / f".{stored.name}.host.123.abc.tmp"
    left.write_bytes(b"half a study")
    stored.unlink()
    load_study(mini_copy)
    assert not left.exists() and stored.exists()
