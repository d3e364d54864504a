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
# Years, counts and respondent numbers have a few digits. Python refuses to read an integer of more than
# 4,300 digits (a ValueError), and long ones cost quadratic time; a plain number this long is refused.
MAX_INTEGER_DIGITS = 30
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


_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING, _SEQUENCE = yaml.MappingStartEvent, yaml.SequenceStartEvent
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _Converter:
    """Turns the YAML event stream into Python data in one pass, recording lines and refusing bombs.

    Built from libyaml's events rather than a composed node tree: libyaml's parser keeps its own stack,
    but composing nodes recurses in C, and 40,000 nested brackets overflowed the C stack (a segmentation
    fault, no message). Here a collection deeper than MAX_DEPTH is refused the moment it opens, before
    anything below it is read. An alias reuses the anchored value and counts its nodes again, so an alias
    bomb is refused by its expanded size without being expanded."""

    def __init__(self) -> None:
        self.lines: dict[Path_, int] = {}
        self.count = 0
        self.placeholder: Path_ | None = None
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, its nodes with aliases expanded)

    def convert(self, events) -> tuple[Any, yaml.Event | None]:
        """The document's data and its first event (None: no document)."""
        # Each open collection: [container, loc, is a mapping, pending key, node count at its start, anchor]
        stack: list[list] = []
        root: Any = None
        first: yaml.Event | None = None
        documents = 0
        for event in events:
            kind = type(event)
            if kind is not _SCALAR and kind is not _MAPPING and kind is not _SEQUENCE and kind is not _ALIAS:
                if kind in _CLOSE:
                    container, _, _, _, started, anchor = stack.pop()
                    if anchor:
                        self.anchors[anchor] = (container, self.count - started + 1)
                elif kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _Refused(event, "YAML syntax error: more than one document in the file (a second "
                                              "'---')", "syntax")
                continue
            if not stack:
                first = event
                root = self.node(event, kind, (), 0)
                if kind is not _SCALAR and kind is not _ALIAS:
                    stack.append([root, (), kind is _MAPPING, None, self.count, event.anchor])
                continue
            top = stack[-1]
            if top[2]:
                if top[3] is None:
                    top[3] = self.key(event, top)
                    continue
                loc = top[1] + (top[3],)
                value = self.node(event, kind, loc, len(stack))
                top[0][top[3]] = value
                top[3] = None
            else:
                loc = top[1] + (len(top[0]),)
                value = self.node(event, kind, loc, len(stack))
                top[0].append(value)
            if kind is _MAPPING or kind is _SEQUENCE:
                stack.append([value, loc, kind is _MAPPING, None, self.count, event.anchor])
        return root, first

    def node(self, event: yaml.Event, kind: type, loc: Path_, depth: int) -> Any:
        if kind is _ALIAS:
            if event.anchor not in self.anchors:
                raise _Refused(event, f"YAML syntax error: alias '*{event.anchor}' refers to no anchor defined "
                                      "before it (or to the collection it stands in)", "syntax")
            value, size = self.anchors[event.anchor]
            self.count += size
        else:
            self.count += 1
        if self.count > MAX_NODES:
            raise _Refused(event, f"more than {MAX_NODES} YAML nodes (aliases expanded); refusing the file")
        if depth > MAX_DEPTH:
            raise _Refused(event, f"nested deeper than {MAX_DEPTH} levels")
        self.lines.setdefault(loc, event.start_mark.line + 1)
        if kind is _ALIAS:
            return value
        if event.tag is not None and event.tag not in SAFE_TAGS:
            raise _Refused(event, f"YAML tag '{event.tag}' is not allowed; case files hold plain text, numbers, lists and mappings")
        if kind is _MAPPING:
            return {}
        if kind is _SEQUENCE:
            return []
        value = self.scalar(event, field_name(loc))
        if self.placeholder is None and isinstance(value, str) and "TODO" in value:
            self.placeholder = loc
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        return value

    def key(self, event: yaml.Event, top: list) -> str:
        if not isinstance(event, yaml.ScalarEvent) or (event.tag is not None and event.tag not in SAFE_TAGS):
            raise _Refused(event, "mapping keys must be plain text")
        key = self.scalar(event)
        if not isinstance(key, (str, int)):
            raise _Refused(event, "mapping keys must be plain text")
        key = str(key)
        if key in top[0]:
            raise _Refused(event, f"duplicate key '{key}'")
        self.lines[top[1] + (key,)] = event.start_mark.line + 1
        return key

    def scalar(self, event: yaml.ScalarEvent, field_: str = "document") -> Any:
        # A quoted scalar or one tagged !!str is the text written; a plain one is read by the YAML 1.2 core
        # schema (whatever other tag it carries).
        if event.style or event.tag == STR_TAG:
            value = event.value
        elif len(event.value) > MAX_INTEGER_DIGITS and _CORE_INT.match(event.value):
            raise _Refused(event, f"a number of {len(event.value)} digits; numbers here have at most "
                                  f"{MAX_INTEGER_DIGITS} (put text in quotes)", field_)
        else:
            value = core_scalar(event.value)
        if isinstance(value, str):
            bad = _CONTROL.search(value)
            if bad:
                raise _Refused(event, f"control character U+{ord(bad[0]):04X} in text; remove it")
        return value


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
    def __init__(self, event: yaml.Event, message: str, field_: str = "document"):
        self.line = event.start_mark.line + 1
        self.message = message
        self.field = field_


# libyaml's C parser keeps the line marks we report and is about ten times faster than the pure-Python one.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    converter = _Converter()
    try:
        data, first = converter.convert(yaml.parse(text, Loader=_PARSER))
    except _Refused as exc:
        return fail(exc.line, exc.message, exc.field)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return fail(line, f"YAML syntax error: {exc.problem or exc.context}", "syntax")
    except yaml.YAMLError as exc:
        return fail(1, f"YAML error: {exc}", "syntax")
    if first is None:  # only comments or an empty document
        return fail(1, "file is empty; expected a mapping with at least 'id' and 'name'")
    if not isinstance(data, dict):
        return fail(first.start_mark.line + 1, "expected a mapping (key: value) at the top of the file, found a "
                    + ("list" if isinstance(data, list) else "single value"), "document")
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


