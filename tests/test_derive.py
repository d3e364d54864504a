"""The mini fixture's answers are worked out by hand in tests/fixtures/mini/README.md."""

from patroon.data import derive


def test_unit_ids_follow_the_design_rule(mini):
    units = derive.unit_frame(mini)
    # org1 works in two gemeenten and so gets <org>-<case> ids; the others keep the organisation id.
    assert sorted(units["unit_id"]) == ["org1-a", "org1-b", "org2", "org3", "org4"]


def test_clusters_follow_from_tactics_and_change_over_time(mini):
    units = derive.unit_frame(mini).set_index("unit_id")
    assert units.loc["org1-a", "first_cluster"] == "niet-volgen"
    assert units.loc["org1-a", "cluster"] == "volgen"
    assert units.loc["org1-a", "changed"] == "ja"
    assert units.loc["org3", "cluster"] == "niet-volgen"  # negeren + uitdagen: both niet-volgen
    assert units.loc["org4", "cluster"] == "niets-doen"
    assert units.loc["org2", "cluster"] == "volgen"  # balanceren has a fixed cluster, volgen, in this fixture's codebook


def test_age_class_uses_the_study_cut_off(mini):
    units = derive.unit_frame(mini).set_index("unit_id")
    assert units.loc["org1-a", "age_class"] == "oud"  # 1950
    assert units.loc["org3", "age_class"] == "oud"  # 1990
    assert units.loc["org4", "age_class"] == "nieuw"  # 2005
    later = mini.study.model_copy(update={"analysis": mini.study.analysis.model_copy(update={"age_cutoff_year": 2006})})
    mini_later = type(mini)(mini.root, later, mini.codebook, mini.cases, mini.organisations, mini.files)
    assert derive.unit_frame(mini_later).set_index("unit_id").loc["org4", "age_class"] == "oud"


def test_opposing_forces(mini):
    units = derive.unit_frame(mini).set_index("unit_id")
    assert units.loc["org1-a", "opposing_forces"] == "ja"  # + + + -
    assert units.loc["org2", "opposing_forces"] == "ja"  # kunnen mixed
    assert units.loc["org4", "opposing_forces"] == "nee"  # all -


def test_prediction_rule_and_matches(mini):
    units = derive.unit_frame(mini).set_index("unit_id")
    assert units.loc["org4", "predicted_cluster"] == "niets-doen"  # weten -
    assert units.loc["org1-a", "predicted_cluster"] == "volgen"  # willen + kunnen +
    assert units.loc["org1-b", "predicted_cluster"] == "niet-volgen"  # only kunnen +
    assert units.loc["org1-b", "prediction_matches"] == "false"
    assert (units["prediction_matches"] == "true").sum() == 4


def test_case_frame_counts_and_conditions(mini):
    cases = derive.case_frame(mini).set_index("case_id")
    assert cases.loc["a", ["n_units", "n_volgen", "n_niet_volgen", "n_niets_doen"]].tolist() == [2, 2, 0, 0]
    assert cases.loc["b", ["n_units", "n_volgen", "n_niet_volgen", "n_niets_doen"]].tolist() == [2, 1, 1, 0]
    assert cases["steering_conditions_met"].to_dict() == {"a": 2, "b": 1, "c": 0}
    assert set(cases["steering_conditions_total"]) == {2}
    assert cases["steering_adequate"].to_dict() == {"a": "ja", "b": "ja", "c": "nee"}


def test_opposing_forces_rule():
    assert derive.opposing_forces(["+", "+", "+", "+"]) == "nee"
    assert derive.opposing_forces(["+", "-"]) == "ja"
    assert derive.opposing_forces(["mixed"]) == "ja"
    assert derive.opposing_forces(["onbekend", "-"]) == "nee"
