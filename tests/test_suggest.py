"""patroon.data.suggest: a misspelt name gets the closest known names, an unrelated one nothing."""

from patroon.data.suggest import did_you_mean


def test_a_typo_gets_the_close_names():
    assert did_you_mean("stab", ["stb", "dem", "lit"]) == "; did you mean 'stb'?"
    assert did_you_mean("Weten", ["weten", "willen"]) == "; did you mean 'weten'?"


def test_nothing_close_gives_nothing():
    assert did_you_mean("xyz", ["weten", "willen", "kunnen"]) == ""
    assert did_you_mean("a", []) == ""
