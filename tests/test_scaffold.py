import pytest
import yaml

from patroon.cli import main
from patroon.data.load import load_study
from patroon.data.yamlfile import LoadError


def test_new_gemeente_lists_every_case_variable_and_loads_once_filled(mini_copy, capsys):
    assert main(["new", "gemeente", "--data", str(mini_copy.parent), "--study", "mini", "--id", "d", "--stdout"]) == 0
    text = capsys.readouterr().out
    data = yaml.safe_load(text)
    assert set(data["coded"]) == {"adaptief-vermogen", "onzekerheid", "context.inwoners"}
    assert "# allowed: \"hoog\" = hoog; \"laag\" = laag; niet-besproken" in text
    (mini_copy / "gemeenten" / "d.yaml").write_text(text.replace("TODO pseudonym", "Delta").replace("section: TODO", "section: '1'"))
    with pytest.raises(LoadError) as caught:  # the evidence texts still say TODO
        load_study(mini_copy, base=mini_copy.parent.parent)
    assert any("still holds a TODO placeholder" in p.message and p.path.endswith("gemeenten/d.yaml")
               for p in caught.value.problems)
    text = text.replace("TODO pseudonym", "Delta").replace("section: TODO", "section: '1'")
    text = text.replace("TODO own-words paraphrase", "eigen woorden")
    (mini_copy / "gemeenten" / "d.yaml").write_text(text)
    study = load_study(mini_copy, base=mini_copy.parent.parent)
    assert "d" in study.cases


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
