"""REFI-QDA codebook export (valid against the standard's schema) and import back to a skeleton."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from patroon.data import qdc
from patroon.data.load import load_codebook
from patroon.data.models import Codebook
from tests.conftest import FIXTURES, REAL_DATA, ROOT

EXTERNAL = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="ATLAS.ti Win 23.4.0">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Vertrouwen" color="#46AA00" isCodable="true">
      <Description>Mate van vertrouwen tussen partners</Description>
      <Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="hoog" isCodable="true"/>
      <Code guid="3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="laag" isCodable="true"/>
    </Code>
    <Code guid="4FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Opmerkingen" isCodable="true"/>
  </Codes>
</CodeBook>
"""


@pytest.fixture(scope="module")
def mini_codebook():
    return load_codebook(FIXTURES / "mini" / "codebook.yaml")


def test_export_is_valid_against_the_standard_schema(mini_codebook):
    document = qdc.export("mini", mini_codebook)
    assert qdc.validate(document) == []
    assert b'xmlns="urn:QDA-XML:codebook:1.0"' in document


@pytest.mark.parametrize("study", sorted(p.name for p in REAL_DATA.iterdir() if (p / "codebook.yaml").exists()))
def test_every_real_codebook_exports_valid(study):
    codebook = load_codebook(REAL_DATA / study / "codebook.yaml")
    assert qdc.validate(qdc.export(study, codebook)) == []


def test_schema_rejects_what_the_standard_forbids():
    broken = EXTERNAL.replace(b'isCodable="true"/>\n  </Codes>', b'/>\n  </Codes>')  # isCodable is required
    assert any("isCodable" in problem for problem in qdc.validate(broken))
    assert qdc.validate(EXTERNAL.replace(b"1FF58B12-", b"not-a-guid-")) != []


def test_guids_are_stable_across_exports(mini_codebook):
    assert qdc.export("mini", mini_codebook) == qdc.export("mini", mini_codebook)
    assert qdc.guid("mini", "variable", "weten") != qdc.guid("other", "variable", "weten")


def test_clusters_become_sets_of_their_tactics(mini_codebook):
    from xml.etree import ElementTree as ET

    root = ET.fromstring(qdc.export("mini", mini_codebook))
    sets = root.findall(f"{{{qdc.NS}}}Sets/{{{qdc.NS}}}Set")
    assert len(sets) == len(mini_codebook.clusters)
    members = sum(len(s.findall(f"{{{qdc.NS}}}MemberCode")) for s in sets)
    assert members == len(mini_codebook.tactics)


def test_round_trip_keeps_every_categorical_variable_and_its_values(mini_codebook):
    skeleton = yaml.safe_load(qdc.skeleton(qdc.export("mini", mini_codebook)))
    Codebook.model_validate(skeleton)  # a loadable codebook, TODOs and all
    back = {v["id"]: [x["code"] for x in v.get("values", [])] for v in skeleton["variables"]}
    for variable in mini_codebook.variables:
        if variable.type == "categorical":
            assert back[variable.id] == [v.code for v in mini_codebook.allowed_values(variable)], variable.id


def test_import_of_another_programs_codebook():
    skeleton = yaml.safe_load(qdc.skeleton(EXTERNAL))
    variables = {v["id"]: v for v in skeleton["variables"]}
    assert [x["code"] for x in variables["vertrouwen"]["values"]] == ["hoog", "laag"]
    assert variables["vertrouwen"]["definition"] == "Mate van vertrouwen tussen partners"
    assert variables["opmerkingen"]["type"] == "text"


def test_cli_refuses_a_file_that_is_not_a_codebook(tmp_path):
    bad = tmp_path / "bad.qdc"
    bad.write_bytes(b"<Project/>")
    result = subprocess.run([sys.executable, "-m", "patroon", "import-qdc", str(bad)], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{bad}: not a valid REFI-QDA codebook") and "Traceback" not in result.stderr


# Refused before the schema validator or the import sees them: each once ended in a traceback
# (XMLResourceExceeded, RecursionError) or took most of a minute and a gigabyte (a 15 MB codebook).
CODE = '<Code guid="00000000-0000-0000-0000-000000000000" name="x" isCodable="true">'
HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n'
HOSTILE_QDC = {
    "41 levels": (HEAD + (CODE + "\n") * 41 + "</Code>" * 41 + "</Codes></CodeBook>", 41, "Code",
                  "nested deeper than 40 levels"),
    "100,000 levels in 600 KB": (HEAD + "<Code>" * 100_000 + "</Code>" * 100_000 + "</Codes></CodeBook>", 3, "Code",
                                 "nested deeper than 40 levels"),
    "3 MB": (HEAD + "<!--" + "x" * 3_000_000 + "--></Codes></CodeBook>", 1, "file", "the limit is 2000000 bytes"),
    "entity expansion": ('<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
                         '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>&b;</Codes></CodeBook>', 2, "DOCTYPE",
                         "a document type declaration"),
    "external entity": ('<?xml version="1.0"?>\n<!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>&x;</Codes></CodeBook>', 2, "DOCTYPE",
                        "a document type declaration"),
    "not well-formed": (HEAD + "<Code></Codes></CodeBook>", 3, "xml", "not well-formed XML: mismatched tag"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_QDC))
def test_cli_refuses_large_deep_and_dtd_codebooks_with_their_line(tmp_path, case):
    text, line, field, message = HOSTILE_QDC[case]
    bad = tmp_path / "bad.qdc"
    bad.write_text(text)
    out = tmp_path / "codebook.yaml"
    result = subprocess.run([sys.executable, "-m", "patroon", "import-qdc", str(bad), "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.startswith(f"{bad}:{line}: {field}: ") and message in result.stderr, result.stderr
    assert not out.exists()
