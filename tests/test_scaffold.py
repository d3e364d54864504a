import pytest
import yaml

from conftest import ROOT

from patroon.cli import main
from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError


def test_new_gemeente_lists_every_case_variable_and_loads_once_filled(mini_copy, capsys):
    assert main(["new", "gemeente", "--data", str(mini_copy.parent), "--study", "mini", "--id", "d", "--stdout"]) == 0
    text = capsys.readouterr().out
    data = yaml.safe_load(text)
    assert set(data["coded"]) == {"adaptief-vermogen", "onzekerheid", "context.inwoners"}
    assert "# allowed: \"hoog\" = hoog; \"laag\" = laag; niet-besproken" in text
    # Every value is a TODO until the coder chooses one (a value or a missing code, with the reason).
    assert all(entry["value"] == "TODO" for entry in data["coded"].values())
    filled = text.replace("TODO name as the source writes it", "Delta").replace("section: TODO", "section: '1'")
    filled = filled.replace("value: TODO", "value: niet-besproken")
    (mini_copy / "gemeenten" / "d.yaml").write_text(filled)
    with pytest.raises(LoadError) as caught:  # the evidence texts still say TODO
        load_study(mini_copy, base=mini_copy.parent.parent)
    assert any("still holds a TODO placeholder" in p.message and p.path.endswith("gemeenten/d.yaml")
               for p in caught.value.problems)
    (mini_copy / "gemeenten" / "d.yaml").write_text(filled.replace("TODO own-words paraphrase", "eigen woorden"))
    study = load_study(mini_copy, base=mini_copy.parent.parent)
    assert "d" in study.cases


def test_new_names_the_studys_own_kinds(mini_copy, capsys):
    assert main(["new", "gemeent", "--data", str(mini_copy.parent), "--study", "mini", "--id", "d"]) == 2
    err = capsys.readouterr().err
    assert "study mini has: gemeente, aanbieder" in err and "did you mean 'gemeente'?" in err
    assert "gemeente or aanbieder" not in (ROOT / "src" / "patroon" / "cli.py").read_text()


def test_new_aanbieder_writes_file_and_refuses_to_overwrite(mini_copy, capsys):
    args = ["new", "aanbieder", "--data", str(mini_copy.parent), "--study", "mini", "--id", "org9"]
    assert main(args) == 0
    assert (mini_copy / "aanbieders" / "org9.yaml").exists()
    assert main(args) == 1
    assert "not overwriting" in capsys.readouterr().err
    with pytest.raises(LoadError):  # the TODOs are not valid values yet
        load_study(mini_copy, base=mini_copy.parent.parent)


def test_new_refuses_path_ids(mini_copy):
    with pytest.raises(SystemExit):
        main(["new", "aanbieder", "--data", str(mini_copy.parent), "--study", "mini", "--id", "../x"])


def test_new_study_writes_a_study_that_validates_once_its_todos_are_filled(tmp_path, monkeypatch, capsys):
    """From an empty folder: new-study, fill in the TODOs, one case, validate."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    config = "# my studies\nstudies:\n  - other   # kept\nlanguage: en  # reports in English\n"
    (tmp_path / "config" / "config.yaml").write_text(config)
    (tmp_path / "data" / "other").mkdir(parents=True)
    assert main(["new-study", "landen", "--kind", "country", "--plural", "countries", "--add-to-config"]) == 0
    study_dir = tmp_path / "data" / "landen"
    text = (tmp_path / "config" / "config.yaml").read_text()
    assert text == "# my studies\nstudies:\n  - other   # kept\n  - landen\nlanguage: en  # reports in English\n"
    study_yaml = (study_dir / "study.yaml").read_text()
    assert "language: en" in study_yaml and "# qca:" in study_yaml and "\npropositions:\n" in study_yaml
    assert (study_dir / "countries").is_dir()
    codebook = yaml.safe_load((study_dir / "codebook.yaml").read_text())
    assert [m["code"] for m in codebook["missing_codes"]] == ["unknown"]
    assert {v["group"] for v in codebook["variables"]} <= set(codebook["groups"])
    with pytest.raises(LoadError) as caught:  # TODOs in study.yaml and codebook.yaml are refused too
        load_study(study_dir, base=tmp_path)
    assert {p.path for p in caught.value.problems} >= {"data/landen/study.yaml", "data/landen/codebook.yaml"}
    (study_dir / "study.yaml").write_text(study_yaml.replace("year: TODO", "year: 2009").replace("kind: TODO", "kind: book").replace("TODO ", ""))
    (study_dir / "codebook.yaml").write_text((study_dir / "codebook.yaml").read_text().replace("TODO ", ""))
    assert main(["new", "--study", "landen", "--id", "austria"]) == 0  # the only kind need not be named
    case = study_dir / "countries" / "austria.yaml"
    case.write_text(case.read_text().replace("TODO name as the source writes it", "Austria")
                    .replace("value: TODO", "value: unknown").replace("TODO own-words paraphrase", "Not in the table")
                    .replace("section: TODO", "table: Table 1"))
    capsys.readouterr()
    assert main(["validate"]) == 1  # data/other has no study.yaml, so only the listed 'other' is missing
    out = capsys.readouterr()
    assert "landen: valid (1 country)" in out.out
    data = load_study(study_dir, base=tmp_path)
    assert data.study.language == "en"


def test_new_study_never_overwrites_and_names_unlisted_studies(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text("studies: [a]\n")
    (tmp_path / "data" / "b").mkdir(parents=True)
    (tmp_path / "data" / "b" / "study.yaml").write_text("mine\n")
    assert main(["new-study", "b"]) == 1
    assert "exists; not overwriting it" in capsys.readouterr().err
    assert (tmp_path / "data" / "b" / "study.yaml").read_text() == "mine\n"
    assert main(["new-study", "c", "--add-to-config"]) == 0
    assert (tmp_path / "config" / "config.yaml").read_text() == "studies: [a, c]\n"
    assert main(["new-study", "c", "--add-to-config"]) == 1  # the folder exists now
    capsys.readouterr()
    main(["validate"])
    assert "data/b: not in config/config.yaml: skipped" in capsys.readouterr().out


def test_build_passes_one_study_and_the_language_to_the_runner(monkeypatch):
    """`patroon build --study id --language en` is `make reports STUDY=id` with the language for this run
    (what the runner does with them is tested in test_incremental.py)."""
    import patroon.pipeline.runner as runner

    calls = []
    monkeypatch.setattr(runner, "build", lambda root, cores, extra, **options: calls.append((extra, options)) or 0)
    assert main(["build", "--study", "lipset", "--language", "en"]) == 0
    assert calls[-1] == ([], {"profile": None, "study": "lipset", "language": "en"})
    assert main(["build", "--", "--dry-run"]) == 0
    assert calls[-1] == (["--dry-run"], {"profile": None, "study": None, "language": None})
