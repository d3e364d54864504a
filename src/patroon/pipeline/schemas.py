"""JSON Schemas of the file formats, generated from the models (checked in CI to be current)."""

from __future__ import annotations

from patroon.data.models import CaseFile, Codebook, OrganisationFile, Study
from patroon.pipeline.config import Config

# jsonschema (used by snakemake.utils.validate) needs the dialect named; it is an identifier, not a download.
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, dict]:
    models = {
        "study.schema.json": Study,
        "codebook.schema.json": Codebook,
        "case.schema.json": CaseFile,
        "organisation.schema.json": OrganisationFile,
        "config.schema.json": Config,
    }
    return {name: {"$schema": DIALECT, **model.model_json_schema()} for name, model in models.items()}
