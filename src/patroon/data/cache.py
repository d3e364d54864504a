"""A loaded, valid study kept between the processes of one build.

Every stage of a build loads its study through the validating loader: validate, tables, analysis, the
agreement, the render job, each in a process of its own (Snakemake's jobs), and the two coders' files
again for the agreement. Reading and checking the dissertation's 70 files takes 0.6 s; loading the same
study from a pickle 0.01 s. So when PATROON_STUDY_CACHE names a folder (`make reports` sets it to
`.patroon`, the build's state), a study that loaded without problems is written there, in the study's own
folder (`.patroon/<study>/loaded-<coder or main>-<language>.pickle`), and a later load uses it when
nothing it was made from differs: the name and content of every file the load may read (see
`_files_read`), the folder and language asked for, the coder, and patroon's own code (the size and time of each of its
source files) and Python. A study with problems is never kept: its errors are found again, every time.
Outside a build (tests, the command line) nothing is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from patroon.data.study_data import CODERS_DIR

ENV = "PATROON_STUDY_CACHE"


def _code_key() -> bytes:
    """patroon's source files by path, size and modification time (a stat each, no reading), and Python."""
    import patroon

    digest = hashlib.sha256(f"{patroon.__version__}\0{sys.version}".encode())
    root = Path(patroon.__file__).parent
    for folder, folders, files in sorted(os.walk(root)):
        folders.sort()
        for name in sorted(files):
            if name.endswith((".py", ".yaml")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.digest()


def _files_under(folder: Path, skip: str | None = None) -> list[str]:
    """Every file below `folder`, leaving out its top-level subfolder `skip`."""
    found = []
    for parent, folders, files in os.walk(folder):
        if skip is not None and parent == str(folder) and skip in folders:
            folders.remove(skip)
        found += [os.path.join(parent, name) for name in files]
    return found


def _files_read(study_dir: Path, coder: str | None) -> list[str]:
    """The files a load may read, sorted: for one coder's coding study.yaml, codebook.yaml and everything
    under coders/<coder>/; for the study itself everything outside coders/ (so that an edit of a case file
    does not make the coders' loads stale, nor a coder's file the study's)."""
    if coder is None:
        return sorted(_files_under(study_dir, skip=CODERS_DIR))
    common = [str(study_dir / name) for name in ("study.yaml", "codebook.yaml") if (study_dir / name).is_file()]
    return sorted(common + _files_under(study_dir / CODERS_DIR / coder))


def study_key(study_dir: Path, coder: str | None, language: str) -> str:
    """What a loaded study depends on: the files it may read by name and content, the folder as given and
    resolved, the coder, the language asked for, and patroon's code."""
    digest = hashlib.sha256(_code_key())
    digest.update(f"{study_dir}\0{study_dir.resolve()}\0{coder}\0{language}\0".encode())
    for path in _files_read(study_dir, coder):
        digest.update(os.path.relpath(path, study_dir).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()


@contextlib.contextmanager
def _only_one_loading(lock: Path):
    """Stages of one build start side by side and ask for the same study at once: the first loads it, the
    others wait for it and take what it kept. A process that dies releases its lock; where locking fails
    (some network filesystems), each loads on its own."""
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a+b")
    except OSError:
        yield
        return
    with handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except (ImportError, OSError):
            pass
        yield


def cached(load: Callable, study_dir: Path, coder: str | None, language: str):
    """`load()` (which raises on any problem), or the study it gave before for the same files."""
    folder = os.environ.get(ENV)
    if not folder:
        return load()
    try:
        key = study_key(study_dir, coder, language)
    except OSError:  # a file went while it was read: let the loader say what is wrong
        return load()
    path = Path(folder) / study_dir.name / f"loaded-{coder or 'main'}-{language}.pickle"
    with _only_one_loading(path.parent / f".{path.stem}.lock"):
        try:
            # The key is pickled first and on its own: a stale study is told by reading 64 characters, not
            # by unpickling it (1.9 s at national scale).
            with open(path, "rb") as handle:
                if pickle.load(handle) == key:
                    return pickle.load(handle)
        except Exception:  # missing, half-written by a killed process, or from another patroon: load it again
            pass
        data = load()
        tmp = None
        try:
            # Only the holder of the lock writes here: a temporary file that is left is a killed writer's.
            for left in path.parent.glob(f".{path.name}.*.tmp"):
                left.unlink(missing_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # a cache that cannot be written costs time, not correctness
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
        return data
