import shutil
from pathlib import Path

import pytest

from patroon.cli import main
from patroon.privacy import Guard, PrivacyLeak

from conftest import FIXTURES


def test_guard_matches_whole_words_case_insensitively_through_markup():
    guard = Guard(("Jan Jansen",))
    with pytest.raises(PrivacyLeak):
        guard.check(Path("x.html"), "<p>Gesproken met <b>jan</b>\n  JANSEN.</p>")
    guard.check(Path("x.html"), "Janjansen en Jan Jansens")  # other words: fine


def test_guard_sees_through_markdown_escapes():
    with pytest.raises(PrivacyLeak):
        Guard(("St. Anna",)).check(Path("x.qmd"), "St\\. Anna")


def test_build_fails_naming_output_and_term_and_writes_nothing(tmp_path, capsys):
    shutil.copytree(FIXTURES / "mini", tmp_path / "data" / "mini")
    privacy = tmp_path / "privacy.yaml"
    privacy.write_text("terms:\n  - Orgdrie\n")
    common = ["--data", str(tmp_path / "data"), "--study", "mini", "--privacy", str(privacy)]
    assert main(["tables", *common, "--results", str(tmp_path / "results")]) == 1
    assert "privacy: contains the protected term 'Orgdrie'" in capsys.readouterr().err
    assert not (tmp_path / "results" / "mini" / "units.csv").exists()
    assert main(["render", *common, "--reports", str(tmp_path / "reports"), "--report", "aanbieders/org3",
                 "--renderer", "pandoc"]) == 1
    err = capsys.readouterr().err
    assert "aanbieders/org3.qmd: privacy" in err
    assert not list((tmp_path / "reports").rglob("*.*")) if (tmp_path / "reports").exists() else True


def test_malformed_privacy_file_is_a_clear_error(tmp_path, capsys):
    privacy = tmp_path / "privacy.yaml"
    privacy.write_text("terms: Jan\n")
    code = main(["tables", "--data", str(FIXTURES), "--study", "mini", "--privacy", str(privacy),
                 "--results", str(tmp_path / "r")])
    assert code == 1
    assert "privacy.yaml:1: terms: expected a list" in capsys.readouterr().err
