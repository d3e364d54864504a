"""Read one YAML file safely into plain data that remembers the line of every key and list item.

Every problem becomes a `Problem(path, line, field, message)`; nothing here raises on bad input. The
checks run in order of cheapness so a hostile file (huge, binary, alias bomb, deep nesting) is refused
before any expensive work. `parse_model` turns a document into a model, with pydantic's errors as
located problems.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000  # a real case file has a few thousand; alias bombs have millions
MAX_DEPTH = 40
SAFE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("map", "seq", "str", "int", "float", "bool", "null", "timestamp")}


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class LoadError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """A parsed YAML file: plain data plus the line of every mapping key and list item."""

    path: Path
    data: Any
    lines: dict[Path_, int]
    # Where the first text holding "TODO" is (a placeholder `patroon new` writes), noted while converting.
    placeholder: Path_ | None = None

    def line(self, loc: Path_) -> int:
        # The nearest enclosing element that has a line: pydantic locations can point inside a value.
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return 1


class _Converter:
    """Turns a composed YAML node tree into Python data, recording lines and refusing bombs."""

    def __init__(self) -> None:
        self.constructor = yaml.SafeLoader("")
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self.placeholder: Path_ | None = None

    def convert(self, node: yaml.Node, loc: Path_, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(node, f"more than {MAX_NODES} YAML nodes (aliases expanded); refusing the file")
        if depth > MAX_DEPTH:
            raise _Refused(node, f"nested deeper than {MAX_DEPTH} levels")
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if node.tag not in SAFE_TAGS:
            raise _Refused(node, f"YAML tag '{node.tag}' is not allowed; case files hold plain text, numbers, lists and mappings")
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalar(key_node)
                if not isinstance(key, (str, int)):
                    raise _Refused(key_node, "mapping keys must be plain text")
                key = str(key)
                if key in out:
                    raise _Refused(key_node, f"duplicate key '{key}'")
                self.lines[loc + (key,)] = key_node.start_mark.line + 1
                out[key] = self.convert(value_node, loc + (key,), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, loc + (i,), depth + 1) for i, item in enumerate(node.value)]
        value = self.scalar(node)
        if self.placeholder is None and isinstance(value, str) and "TODO" in value:
            self.placeholder = loc
        # Dates and floats sneak in through YAML's implicit typing; keep everything textual or integral.
        if not isinstance(value, (str, int, bool, type(None))):
            value = node.value
        return value

    def scalar(self, node: yaml.Node) -> Any:
        # Most scalars are plain text, whose value is the node's own; going through the constructor for
        # each of them was a third of the load time of a national-scale study.
        if isinstance(node, yaml.ScalarNode):
            value = node.value if node.tag == STR_TAG or node.style else core_scalar(node.value)
            if isinstance(value, str):
                bad = _CONTROL.search(value)
                if bad:
                    raise _Refused(node, f"control character U+{ord(bad[0]):04X} in text; remove it")
            return value
        return self.constructor.construct_object(node, deep=True)


STR_TAG = "tag:yaml.org,2002:str"
# Control characters other than tab and line breaks break SVG, XML and terminals; YAML lets them in
# through escapes in double-quoted strings.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# YAML 1.2 core schema: what a plain scalar means. PyYAML resolves by YAML 1.1, where `1:30` is 90,
# `0755` is 493 and `on`/`yes` are booleans: in a text field that silently changes what was written.
_CORE_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")


def core_scalar(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema: null, true/false, integers; everything else is text
    (floats stay text too: case files hold no measurements, and '2.5' in a text field means '2.5')."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _CORE_INT.match(text):
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    return text


class _Refused(Exception):
    def __init__(self, node: yaml.Node, message: str):
        self.line = node.start_mark.line + 1
        self.message = message


# libyaml's C composer keeps the line marks we report and is about ten times faster than the pure-Python one.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, display: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file safely. Returns (document, []) or (None, [problem])."""
    shown = display or str(path)

    def fail(line: int, message: str, field_: str = "file") -> tuple[None, list[Problem]]:
        return None, [Problem(shown, line, field_, message)]

    if path.is_dir():
        return fail(1, "is a folder, not a file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return fail(1, f"file is {size} bytes; the limit is {MAX_FILE_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        return fail(1, f"cannot read file: {exc.strerror}")
    if raw.startswith(b"\xef\xbb\xbf"):
        return fail(1, "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return fail(line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")
    for number, line_text in enumerate(text.splitlines(), start=1):
        indent = line_text[: len(line_text) - len(line_text.lstrip())]
        if "\t" in indent:
            return fail(number, "tab used for indentation; YAML allows spaces only")
    if not text.strip():
        return fail(1, "file is empty; expected a mapping with at least 'id' and 'name'")
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return fail(line, f"YAML syntax error: {exc.problem or exc.context}", "syntax")
    except yaml.YAMLError as exc:
        return fail(1, f"YAML error: {exc}", "syntax")
    if node is None:  # only comments or an empty document
        return fail(1, "file is empty; expected a mapping with at least 'id' and 'name'")
    if not isinstance(node, yaml.MappingNode):
        return fail(node.start_mark.line + 1, "expected a mapping (key: value) at the top of the file, found a "
                    + ("list" if isinstance(node, yaml.SequenceNode) else "single value"), "document")
    converter = _Converter()
    try:
        data = converter.convert(node, (), 0)
    except _Refused as exc:
        return fail(exc.line, exc.message, "document")
    except yaml.YAMLError as exc:
        return fail(1, f"YAML error: {exc}", "syntax")
    return Document(path, data, converter.lines, converter.placeholder), []


def placeholders(document: Document, shown: str) -> list[Problem]:
    """A file made by `patroon new` or `patroon new-study` is not done while it holds a TODO."""
    if document.placeholder is None:
        return []
    return [Problem(shown, document.line(document.placeholder), field_name(document.placeholder),
                    "still holds a TODO placeholder; fill it in")]


def field_name(loc: Path_) -> str:
    return ".".join(str(part) for part in loc) or "document"


def _explain(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field; check the spelling against docs/coding-guide.md"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        return f"'{error.get('input')}' is not allowed; expected lower-case letters, digits and '-' ({pattern})"
    if kind in ("dict_type", "model_type"):
        return f"expected a mapping (key: value), found {type(error.get('input')).__name__}"
    if kind == "list_type":
        return f"expected a list, found {type(error.get('input')).__name__}"
    if kind == "literal_error":
        return f"'{error.get('input')}' is not allowed; expected {error['ctx']['expected']}"
    return error["msg"]


def parse_model(document: Document, model: type[BaseModel], display: str) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
            # Union members add their type name to loc (e.g. 'int', 'str'); drop those for readability.
            loc = tuple(p for p in loc if p not in ("int", "str", "constrained-str", "function-after"))
            problems.append(Problem(display, document.line(loc), field_name(loc), _explain(error)))
        # One line per field: union errors repeat the same place.
        unique = sorted(set(problems))
        return None, unique


