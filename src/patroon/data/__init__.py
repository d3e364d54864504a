"""patroon.data — the study as files and models (the bottom stage).

Owns: the file formats as pydantic models, reading YAML with line numbers, loading and validating a study
folder (`load_study`), the checks within a file and across files, the unit and case frames every later
stage is built on (`derive`), the codebook's REFI-QDA exchange (`qdc`), scaffolds for new case files and
the synthetic national-scale study.

May import: nothing of patroon but `patroon.data` itself (and `patroon.__version__`).
"""
