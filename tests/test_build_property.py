"""The property of issue 26: whatever happened before, `make reports` ends with outputs byte-identical to a
clean build of the same data and configuration (SOURCE_DATE_EPOCH set), or with a one-line error, and
then a clean build fails too.

A randomized replay on the mini study: a random sequence of steps (edit, delete or rename a case file;
change the language, formats, renderer or privacy terms; delete or hand-edit an output; preview one
report; SIGKILL a build at a random moment) with a build-and-compare every few steps. Each run prints its
seed; `PATROON_PROPERTY_SEED=<seed>` replays it exactly, `PATROON_PROPERTY_STEPS=<n>` makes it longer.
Clean builds are cached by the content of their inputs, so a state seen before costs one build.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FIXTURES, ROOT
from incremental import build, clean_outputs, config_of, differences, outputs, project, write_config

STEPS = int(os.environ.get("PATROON_PROPERTY_STEPS", "14"))


def inputs_key(root: Path) -> str:
    digest = hashlib.sha256()
    for top in ("data", "config"):
        for path in sorted((root / top).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    privacy = root / "privacy.yaml"
    digest.update(privacy.read_bytes() if privacy.exists() else b"-")
    return digest.hexdigest()


class Replay:
    def __init__(self, root: Path, scratch: Path, rng: random.Random, log: list[str]) -> None:
        self.root, self.scratch, self.rng, self.log = root, scratch, rng, log
        self.clean: dict[str, tuple[int, dict, str]] = {}

    @property
    def data(self) -> Path:
        return self.root / "data" / "mini"

    def providers(self) -> list[Path]:
        return sorted((self.data / "aanbieders").glob("*.yaml"))

    # ----------------------------------------------------------------------------- steps on the inputs
    def edit_case(self) -> str:
        files = sorted(self.data.glob("*/*.yaml"))
        path = self.rng.choice(files)
        text = path.read_text()
        if self.rng.random() < 0.5 and "value: +" in text:
            path.write_text(text.replace("value: +", "value: '-'", 1))  # a coded value, still allowed
            return f"flip a + in {path.name}"
        path.write_text(text.replace("\nname: ", f"\nname: X{self.rng.randint(1, 99)} ", 1))
        return f"rename the case in {path.name}"

    def delete_case(self) -> str:
        candidates = [p for p in self.providers() if p.stem != "org1"]  # org1 keeps gemeenten a and b busy
        if len(candidates) < 2:
            return self.restore_data()
        path = self.rng.choice(candidates)
        path.unlink()
        return f"delete {path.name}"

    def rename_case(self) -> str:
        path = self.rng.choice(self.providers())
        new_id = f"{path.stem}x"
        path.with_name(f"{new_id}.yaml").write_text(path.read_text().replace(f"id: {path.stem}\n", f"id: {new_id}\n", 1))
        path.unlink()
        return f"rename {path.name} to {new_id}.yaml"

    def restore_data(self) -> str:
        shutil.rmtree(self.data)
        shutil.copytree(FIXTURES / "mini", self.data)
        return "restore the study"

    def change_language(self) -> str:
        language = self.rng.choice(["nl", "en"])
        write_config(self.root, **{**config_of(self.root), "language": language})
        return f"language: {language}"

    def change_formats(self) -> str:
        formats = self.rng.choice([["html"], ["html"], ["html", "pdf"]])
        write_config(self.root, **{**config_of(self.root), "formats": formats})
        return f"formats: {formats}"

    def change_renderer(self) -> str:
        renderer = self.rng.choice(["pandoc", "auto"])  # auto is Quarto where it is on PATH (as in CI)
        write_config(self.root, **{**config_of(self.root), "renderer": renderer})
        return f"renderer: {renderer}"

    def change_privacy(self) -> str:
        config = config_of(self.root)
        if "privacy_file" in config and self.rng.random() < 0.6:
            config.pop("privacy_file")
            write_config(self.root, **config)
            return "no privacy file"
        term = self.rng.choice(["Orgvier", "Gamma", "Nergenshuizen"])  # two appear in the mini study
        (self.root / "privacy.yaml").write_text(f"terms: [{term}]\n")
        write_config(self.root, **{**config, "privacy_file": "privacy.yaml"})
        return f"privacy terms: [{term}]"

    # ---------------------------------------------------------------------------- steps on the outputs
    def existing_outputs(self) -> list[Path]:
        return [self.root / name for name in outputs(self.root)]

    def delete_output(self) -> str:
        files = self.existing_outputs()
        if not files:
            return "no output to delete"
        path = self.rng.choice(files)
        path.unlink()
        return f"delete {path.relative_to(self.root)}"

    def hand_edit_output(self) -> str:
        files = self.existing_outputs()
        if not files:
            return "no output to edit"
        path = self.rng.choice(files)
        with open(path, "ab") as handle:
            handle.write(b"\nhand edit\n")
        return f"hand-edit {path.relative_to(self.root)}"

    def preview(self) -> str:
        stems = ["synthese", "gemeenten/a", "gemeenten/b", "aanbieders/org1", "aanbieders/org3"]
        stem = self.rng.choice(stems)
        run = subprocess.run([sys.executable, "-m", "patroon", "render", "--study", "mini", "--report", stem,
                              "--formats", "html", "--renderer", "pandoc"], cwd=self.root,
                             capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
        return f"preview {stem} (exit {run.returncode})"

    def kill_build(self) -> str:
        delay = round(self.rng.uniform(0.3, 8.0), 1)
        process = subprocess.Popen([sys.executable, "-m", "patroon.pipeline.runner", "--snakefile",
                                    str(ROOT / "Snakefile")], cwd=self.root, start_new_session=True,
                                   env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return f"SIGKILL the build after {delay} s (exit {process.returncode})"

    # --------------------------------------------------------------------------------------- the check
    def check(self) -> str:
        code, said = build(self.root)
        key = inputs_key(self.root)
        if key not in self.clean:
            self.clean[key] = clean_outputs(self.root, self.scratch)
        clean_code, clean, clean_said = self.clean[key]
        history = "\n  ".join(self.log)
        if code == 0:
            assert clean_code == 0, f"the incremental build passed, a clean one failed:\n{clean_said}\nsteps:\n  {history}"
            diff = differences(outputs(self.root), clean)
            assert diff == [], f"differs from a clean build: {diff}\nsteps:\n  {history}\naccount:\n{said}"
            return "build: identical to a clean build"
        last = said.strip().splitlines()[-1]
        assert last.startswith("build failed: ") and "\n" not in last, f"{said}\nsteps:\n  {history}"
        assert clean_code != 0, f"the incremental build failed ({last}), a clean one passed\nsteps:\n  {history}"
        return f"build: failed as a clean build does ({last[:100]})"


WEIGHTS = {
    "edit_case": 3, "delete_case": 1, "rename_case": 1, "restore_data": 1, "change_language": 1,
    "change_formats": 1, "change_renderer": 1, "change_privacy": 1, "delete_output": 2, "hand_edit_output": 2,
    "preview": 2, "kill_build": 2,
}


def test_any_sequence_of_steps_ends_in_a_clean_build(tmp_path):
    seed = int(os.environ.get("PATROON_PROPERTY_SEED", str(random.SystemRandom().randrange(10**6))))
    print(f"PATROON_PROPERTY_SEED={seed}")  # shown with -s, and in the failure message below
    rng = random.Random(seed)
    root = project(tmp_path / "project")
    log = [f"seed {seed}"]
    replay = Replay(root, tmp_path / "clean", rng, log)
    log.append(replay.check())
    names = list(WEIGHTS)
    for step in range(STEPS):
        name = rng.choices(names, weights=[WEIGHTS[n] for n in names])[0]
        log.append(getattr(replay, name)())
        if step % 3 == 2 or step == STEPS - 1:
            log.append(replay.check())
    print("\n".join(log))
