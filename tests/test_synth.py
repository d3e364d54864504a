import random
import shutil

from conftest import REAL_DATA

from patroon.data import derive
from patroon.data.load import load_study
from patroon.data.synth import plan_units, write_study


def setup_template(tmp_path):
    data = tmp_path / "data"
    (data / "sturing-jeugdhulp").mkdir(parents=True)
    for name in ("study.yaml", "codebook.yaml"):
        shutil.copy(REAL_DATA / "sturing-jeugdhulp" / name, data / "sturing-jeugdhulp" / name)
    return data


def test_plan_gives_every_gemeente_exactly_m_units_and_shares_organisations():
    for n, m in [(1, 1), (7, 3), (34, 10), (25, 4)]:
        plan = plan_units(n, m, random.Random(1))
        per_gemeente = [0] * n
        for gemeenten in plan.values():
            assert len(set(gemeenten)) == len(gemeenten)
            for g in gemeenten:
                per_gemeente[g] += 1
        assert per_gemeente == [m] * n
        if m >= 3 and n > 1:
            assert any(len(g) > 1 for g in plan.values())  # shared organisations exist


def test_synthetic_study_is_valid_and_of_the_requested_size(tmp_path):
    data = setup_template(tmp_path)
    write_study(data, "synth-test", 12, 5, seed=3)
    study = load_study(data / "synth-test", base=tmp_path)
    assert len(study.cases) == 12
    units = derive.unit_frame(study)
    assert len(units) == 60
    assert (units.groupby("case_id").size() == 5).all()


def test_same_seed_same_study_other_seed_other_study(tmp_path):
    data = setup_template(tmp_path)
    one = write_study(data, "s1", 5, 3, seed=7)
    text_one = {p.name: p.read_text() for p in sorted(one.rglob("*.yaml")) if p.name != "study.yaml"}
    two = write_study(data, "s2", 5, 3, seed=7)
    assert text_one == {p.name: p.read_text() for p in sorted(two.rglob("*.yaml"))
                        if p.name != "study.yaml"}
    three = write_study(data, "s3", 5, 3, seed=8)
    assert text_one != {p.name: p.read_text() for p in sorted(three.rglob("*.yaml"))}


def test_synth_never_replaces_an_existing_study(tmp_path):
    """`synth --study <existing>` once deleted that study's real data: now it refuses and touches nothing."""
    import subprocess
    import sys

    data = setup_template(tmp_path)
    before = {p: p.read_bytes() for p in (data / "sturing-jeugdhulp").rglob("*") if p.is_file()}
    result = subprocess.run([sys.executable, "-m", "patroon", "synth", "--data", str(data), "--study",
                             "sturing-jeugdhulp", "--gemeenten", "2", "--units", "1"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "already exists" in result.stderr and "Traceback" not in result.stderr
    after = {p: p.read_bytes() for p in (data / "sturing-jeugdhulp").rglob("*") if p.is_file()}
    assert after == before
    result = subprocess.run([sys.executable, "-m", "patroon", "synth", "--data", str(data), "--gemeenten", "2",
                             "--units", "1"], capture_output=True, text=True)
    assert result.returncode == 2 and "exactly one --study" in result.stderr


def test_synthetic_reactions_follow_the_prediction_rules_up_to_the_noise_and_qca_finds_them(tmp_path):
    """A pattern to find: a unit's final cluster is the one the study's prediction rules give, except for a
    share NOISE of units whose cluster is drawn from the others; so the match rate is 1 - NOISE up to
    sampling (400 units: a standard error of 1.5 points), and QCA finds a sufficient configuration."""
    from patroon.analysis import qca_study
    from patroon.data.synth import CONSISTENCY, NOISE

    data = setup_template(tmp_path)
    write_study(data, "patroon-test", 40, 10, seed=5)
    study = load_study(data / "patroon-test", base=tmp_path)
    assert study.study.analysis.qca.consistency_threshold == CONSISTENCY
    units = derive.unit_frame(study)
    share = (units["predicted_cluster"] == units["cluster"]).mean()
    assert abs(share - (1 - NOISE)) < 0.05, share
    result = qca_study.run_qca(study, units)
    assert result is not None and result.solutions, "QCA found no solution in data made to have one"
