"""Reports of organisations with many units stay readable and typesettable: every unit in one table, the
evidence of the most telling units in full (MAX_UNIT_SECTIONS)."""

from types import SimpleNamespace

from patroon.data.load import load_study
from patroon.engines.detect import Renderer
from patroon.report.figures import attach_figures
from patroon.report.markdown import labels_of, render_template
from patroon.report.views import aanbieder as aanbieder_view
from patroon.report.views.aanbieder import aanbieder_context, detailed_units
from tests.conftest import FIXTURES


def test_detailed_units_prefers_deviant_and_changed_units_and_keeps_their_order():
    refs = [SimpleNamespace(unit_id=u) for u in "abcd"]
    rows = {  # b deviates from its prediction, c changed cluster, a and d neither
        "a": {"prediction_matches": "true", "first_cluster": "volgen", "cluster": "volgen"},
        "b": {"prediction_matches": "false", "first_cluster": "volgen", "cluster": "volgen"},
        "c": {"prediction_matches": "true", "first_cluster": "niets-doen", "cluster": "volgen"},
        "d": {"prediction_matches": "true", "first_cluster": "volgen", "cluster": "volgen"},
    }
    ids = lambda chosen: [r.unit_id for r in chosen]  # noqa: E731
    assert ids(detailed_units(refs, rows, limit=4)) == ["a", "b", "c", "d"]
    assert ids(detailed_units(refs, rows, limit=2)) == ["b", "c"]
    assert ids(detailed_units(refs, rows, limit=3)) == ["a", "b", "c"]
    assert ids(detailed_units(refs, rows, limit=1)) == ["b"]


def test_provider_report_above_the_cap_lists_all_units_and_says_where_the_rest_is(monkeypatch, tmp_path):
    data = load_study(FIXTURES / "mini")
    renderer = Renderer("pandoc+typst", "test")
    full = aanbieder_context(data, "org1", renderer, FIXTURES)  # org1 works in two gemeenten
    assert len(full["unit_blocks"]) == 2 and len(full["overview_rows"]) == 2 and full["details_note"] == ""

    monkeypatch.setattr(aanbieder_view, "MAX_UNIT_SECTIONS", 1)
    capped = aanbieder_context(data, "org1", renderer, FIXTURES)
    assert len(capped["unit_blocks"]) == 1
    assert len(capped["overview_rows"]) == 2
    assert "1 van de 2" in capped["details_note"] and "mini/aanbieders/org1.yaml" in capped["details_note"]
    attach_figures(capped, "aanbieders/org1", tmp_path)
    qmd = render_template("aanbieder.qmd.j2", capped)
    assert qmd.count("# " + labels_of("nl")["units_overview"] + "\n") == 1  # the heading (its table has it as caption)


def test_single_unit_provider_has_no_overview_table():
    data = load_study(FIXTURES / "mini")
    context = aanbieder_context(data, "org2", Renderer("pandoc+typst", "test"), FIXTURES)
    assert context["overview_rows"] == [] and len(context["unit_blocks"]) == 1
