"""The codebook as a REFI-QDA codebook (.qdc), which ATLAS.ti, NVivo, MAXQDA and QualCoder import, and back.

Export: one non-codable code per variable group; under it one code per variable, and under a categorical
variable one codable code per allowed value ("<variable> = <value>"), so a researcher codes interview
fragments with the values of our codebook. Tactics go under a code per strategy, and each cluster is a
Set of its tactics. GUIDs are UUID5 of study and path, so a re-export keeps every code's identity.

Import (`patroon import-qdc`): any .qdc becomes a codebook.yaml skeleton: a code with children becomes a
categorical variable whose values are the children, a leaf becomes a text variable. Labels and levels the
.qdc cannot carry are marked TODO for the researcher. A file is refused before any parsing that could
take long or go deep: over MAX_BYTES (a 15 MB file took 44 s and 922 MiB in the schema validation),
elements nested deeper than MAX_DEPTH (the schema validator and the import recurse per level), or a
document type declaration (a REFI-QDA codebook has none; a DTD is how entity expansion and external
entities get in). Each refusal names the file and line.
"""

from __future__ import annotations

import re
import uuid
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.parsers import expat

import yaml

from patroon.data.models import Codebook

NS = "urn:QDA-XML:codebook:1.0"
# A codebook of a thousand codes is a few hundred kilobytes; codes nest a handful of levels.
MAX_BYTES = 2_000_000
MAX_DEPTH = 40


class QdcRefused(ValueError):
    """A .qdc refused before it is parsed, with the line it was refused at."""

    def __init__(self, line: int, field: str, message: str):
        super().__init__(message)
        self.line, self.field = line, field
NAMESPACE = uuid.UUID("6f6a1d0e-8a3b-5c1e-9d2f-70617472656f")  # fixed: 'patroon' GUIDs stay stable


def guid(study_id: str, *path: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join((study_id,) + path))).upper()


def _code(parent: ET.Element, study_id: str, path: tuple[str, ...], name: str, codable: bool,
          description: str | None = None, color: str | None = None) -> ET.Element:
    attrs = {"guid": guid(study_id, *path), "name": name, "isCodable": "true" if codable else "false"}
    if color:
        attrs["color"] = color
    element = ET.SubElement(parent, f"{{{NS}}}Code", attrs)
    if description:
        ET.SubElement(element, f"{{{NS}}}Description").text = description
    return element


def export(study_id: str, codebook: Codebook, language: str = "nl") -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(f"{{{NS}}}CodeBook", {"origin": "patroon"})
    codes = ET.SubElement(root, f"{{{NS}}}Codes")
    groups: dict[str, ET.Element] = {}
    for variable in codebook.variables:
        if variable.group not in groups:
            groups[variable.group] = _code(codes, study_id, ("group", variable.group), variable.group, False)
        label = getattr(variable.label, language)
        description = f"{variable.definition}\n\nIndicator: {variable.indicator}\n\nId: {variable.id}; level: {variable.level}"
        if variable.type == "categorical":
            element = _code(groups[variable.group], study_id, ("variable", variable.id), label, False, description)
            for value in codebook.allowed_values(variable):
                _code(element, study_id, ("variable", variable.id, value.code), f"{variable.id} = {value.code}", True,
                      getattr(value.label, language))
        else:
            _code(groups[variable.group], study_id, ("variable", variable.id), label, True,
                  description + f"; type: {variable.type}")
    if codebook.tactics:
        reactions = _code(codes, study_id, ("tactics",), "strategische reacties" if language == "nl"
                          else "strategic reactions", False)
        strategies: dict[str, ET.Element] = {}
        for tactic in codebook.tactics:
            if tactic.strategy not in strategies:
                strategies[tactic.strategy] = _code(reactions, study_id, ("strategy", tactic.strategy), tactic.strategy, False)
            _code(strategies[tactic.strategy], study_id, ("tactic", tactic.id), tactic.id, True,
                  f"{tactic.definition}\n\nIndicator: {tactic.indicator}")
    if codebook.clusters:
        sets = ET.SubElement(root, f"{{{NS}}}Sets")
        for cluster in codebook.clusters:
            element = ET.SubElement(sets, f"{{{NS}}}Set", {"guid": guid(study_id, "cluster", cluster.id),
                                                           "name": getattr(cluster.label, language)})
            ET.SubElement(element, f"{{{NS}}}Description").text = cluster.definition
            # A tactic judged per period (a compromise) is in no set: its cluster is the period's.
            for tactic in codebook.tactics:
                if tactic.cluster == cluster.id:
                    ET.SubElement(element, f"{{{NS}}}MemberCode", {"guid": guid(study_id, "tactic", tactic.id)})
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def schema():
    import xmlschema

    return xmlschema.XMLSchema(str(resources.files("patroon.data") / "standards" / "refi-qda-codebook-1.0.xsd"))


def validate(document: bytes) -> list[str]:
    """Every way the document breaks the REFI-QDA codebook schema, as readable lines (empty: valid)."""
    return [f"{error.path}: {error.reason}" for error in schema().iter_errors(document.decode("utf-8"))]


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9.+-]+", "-", text.lower()).strip("-")
    return slug or "code"


def read(path: Path) -> bytes:
    """The bytes of a .qdc, refusing one over MAX_BYTES before reading it."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise QdcRefused(1, "file", f"file is {size} bytes; the limit is {MAX_BYTES} bytes")
    return path.read_bytes()


def check_shape(document: bytes) -> None:
    """Refuse a document that is too large, nested too deep or declares a document type, with one streaming
    pass of expat (which keeps no stack of its own and recurses nowhere)."""
    if len(document) > MAX_BYTES:
        raise QdcRefused(1, "file", f"file is {len(document)} bytes; the limit is {MAX_BYTES} bytes")
    parser = expat.ParserCreate()
    depth = 0

    def start(name, attributes) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise QdcRefused(parser.CurrentLineNumber, name.rsplit("}", 1)[-1],
                             f"elements nested deeper than {MAX_DEPTH} levels")

    def end(name) -> None:
        nonlocal depth
        depth -= 1

    def doctype(name, *_) -> None:
        raise QdcRefused(parser.CurrentLineNumber, "DOCTYPE", "a document type declaration (DTD); a REFI-QDA "
                                                             "codebook has none, and a DTD can pull in entities")

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(document, True)
    except expat.ExpatError as error:
        raise QdcRefused(error.lineno, "xml", f"not well-formed XML: {expat.errors.messages[error.code]}") from None


def skeleton(document: bytes) -> str:
    """A codebook.yaml skeleton from any REFI-QDA codebook; raises ValueError when it is not one (a
    QdcRefused, with a line, when it is refused before parsing)."""
    check_shape(document)
    problems = validate(document)
    if problems:
        raise ValueError("not a valid REFI-QDA codebook: " + problems[0])
    root = ET.fromstring(document)
    variables = []

    def description(element: ET.Element) -> str:
        text = element.findtext(f"{{{NS}}}Description") or ""
        return text.strip() or "TODO definition"

    def visit(element: ET.Element, group: str) -> None:
        name = element.get("name", "")
        children = element.findall(f"{{{NS}}}Code")
        grandchildren = any(child.findall(f"{{{NS}}}Code") for child in children)
        if children and grandchildren:  # a folder of variables
            for child in children:
                visit(child, _slug(name))
            return
        # Our own export names values "<variable id> = <code>": keep the variable id and the code.
        codes = [child.get("name", "").split(" = ")[-1] for child in children]
        own_ids = {child.get("name", "").split(" = ")[0] for child in children if " = " in child.get("name", "")}
        variable_id = own_ids.pop() if len(own_ids) == 1 else _slug(f"{group}.{name}" if group else name)
        entry = {
            "id": variable_id, "level": "case", "group": group or "codes",
            "type": "categorical" if children else "text",
            "label": {"nl": name, "en": f"TODO {name}"},
            "definition": description(element), "indicator": "TODO indicator",
        }
        if children:
            entry["values"] = [{"code": code, "label": {"nl": description(child) if child.find(f"{{{NS}}}Description")
                                                             is not None else code, "en": f"TODO {code}"}}
                               for code, child in zip(codes, children)]
        variables.append(entry)

    for top in root.find(f"{{{NS}}}Codes").findall(f"{{{NS}}}Code"):
        children = top.findall(f"{{{NS}}}Code")
        if children and all(not c.findall(f"{{{NS}}}Code") for c in children) and top.get("isCodable") == "true":
            visit(top, "")
        elif children:
            for child in children:
                visit(child, _slug(top.get("name", "")))
        else:
            visit(top, "")
    header = ("# Codebook skeleton from a REFI-QDA codebook (patroon import-qdc). Check every variable's level\n"
              "# (case, organisation or unit), fill the TODOs, and add missing_codes and value directions.\n")
    body = {"missing_codes": [{"code": "niet-besproken", "label": {"nl": "niet besproken", "en": "not discussed"}}],
            "variables": variables}
    # libyaml's emitter: the pure-Python one took 20 of the 25 seconds a 1 MB codebook needed (same text).
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return header + yaml.dump(body, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
