"""Figure layout worked out by hand: where the timeline puts dated and undated reaction periods; the
index's natural order."""

from patroon.report.site import natural_key
from patroon.report.svg import Bar, place_periods


def test_undated_periods_keep_the_case_file_order_inside_the_study_period():
    # Axis 2015..2020 (x from 2015 to 2021). An undated first period and a second one ending in 2020:
    # the unknown boundary between them lies halfway from 2015 to 2021, so the first period comes first.
    bars = [Bar(None, None, "domineren", "niet-volgen"), Bar(None, 2020, "niets-doen", "niets-doen")]
    assert place_periods(bars, 2015, 2020) == [(2015.0, 2018.0), (2018.0, 2021.0)]


def test_a_missing_year_is_taken_from_the_neighbouring_period():
    bars = [Bar(2016, None, "a", "volgen"), Bar(2018, 2019, "b", "volgen"), Bar(None, None, "c", "volgen")]
    assert place_periods(bars, 2015, 2021) == [(2016.0, 2018.0), (2018.0, 2020.0), (2020.0, 2022.0)]


def test_a_period_after_the_study_period_is_not_drawn():
    bars = [Bar(2019, 2020, "a", "volgen"), Bar(2022, None, "b", "niet-volgen")]
    assert place_periods(bars, 2015, 2021) == [(2019.0, 2021.0), None]


def test_index_sorts_names_naturally():
    names = ["10N", "10P", "11N", "3N", "3P"]
    assert sorted(names, key=natural_key) == ["3N", "3P", "10N", "10P", "11N"]

