"""Load a study folder (study.yaml, codebook.yaml, case files) into models, keeping line numbers.

Every problem becomes a `Problem(path, line, field, message)`; nothing here raises on bad input. The
checks run in order of cheapness so a hostile file (huge, binary, alias bomb, deep nesting) is refused
before any expensive work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from patroon.consistency import check_cases_together, check_codebook_definitions, check_study_references
from patroon.models import CaseFile, Codebook, OrganisationFile, Study

CODERS_DIR = "coders"  # data/<study>/coders/<name>/: one independent coding per coder
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


def _placeholders(document: Document, shown: str) -> list[Problem]:
    """A case file made by `patroon new` is not done while it holds a TODO."""
    if document.placeholder is None:
        return []
    return [Problem(shown, document.line(document.placeholder), _field_name(document.placeholder),
                    "still holds a TODO placeholder from `patroon new`; fill it in")]


def _field_name(loc: Path_) -> str:
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
            problems.append(Problem(display, document.line(loc), _field_name(loc), _explain(error)))
        # One line per field: union errors repeat the same place.
        unique = sorted(set(problems))
        return None, unique


# ----------------------------------------------------------------------------------- the whole study


@dataclass
class StudyData:
    root: Path
    study: Study
    codebook: Codebook
    cases: dict[str, CaseFile] = field(default_factory=dict)
    organisations: dict[str, OrganisationFile] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)  # "<kind>/<id>" -> file

    def case_kind(self) -> str:
        """The first case kind: the one organisations' units refer to."""
        return next(k.kind for k in self.study.unit_kinds if k.role == "case")

    def organisation_kind(self) -> str | None:
        return next((k.kind for k in self.study.unit_kinds if k.role == "organisation"), None)

    def case_kinds(self) -> list[str]:
        return [k.kind for k in self.study.unit_kinds if k.role == "case"]

    def cases_of(self, kind: str) -> dict[str, CaseFile]:
        return {i: c for i, c in self.cases.items() if c.kind == kind}

    def plural(self, kind: str) -> str:
        return next(k.plural for k in self.study.unit_kinds if k.kind == kind)


def _display(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def load_study(study_dir: Path, base: Path | None = None, coder: str | None = None) -> StudyData:
    """Load and fully check one study. Raises LoadError with every problem found.

    With `coder`, the case files are that coder's independent coding (`coders/<coder>/<plural>/`), checked
    against the same study.yaml and codebook with the same rules.
    """
    base = base or study_dir.parent.parent
    files_dir = study_dir / CODERS_DIR / coder if coder else study_dir
    problems: list[Problem] = []

    def load(path: Path, model: type[BaseModel]) -> tuple[Any, Document | None]:
        shown = _display(path, base)
        document, found = read_yaml(path, shown)
        problems.extend(found)
        if document is None:
            return None, None
        obj, found = parse_model(document, model, shown)
        problems.extend(found)
        return obj, document

    study, study_doc = load(study_dir / "study.yaml", Study)
    codebook, codebook_doc = load(study_dir / "codebook.yaml", Codebook)
    if study is None or codebook is None:
        raise LoadError(problems)
    problems.extend(check_codebook(codebook, codebook_doc, _display(study_dir / "codebook.yaml", base)))
    problems.extend(check_blocks(study, codebook, study_doc, _display(study_dir / "study.yaml", base)))
    problems.extend(check_codebook_definitions(codebook, codebook_doc, _display(study_dir / "codebook.yaml", base)))
    problems.extend(check_study_references(study, codebook, study_doc, _display(study_dir / "study.yaml", base),
                                           any(k.role == "organisation" for k in study.unit_kinds)))
    problems.extend(check_register(study, study_doc, _display(study_dir / "study.yaml", base)))
    data = StudyData(study_dir, study, codebook)
    if study.id != study_dir.name:
        problems.append(Problem(_display(study_dir / "study.yaml", base), 1, "id",
                                f"study id '{study.id}' must equal its folder name '{study_dir.name}'"))

    documents: dict[str, tuple[Document, str]] = {}
    for kind in study.unit_kinds:
        folder = files_dir / kind.plural
        model = CaseFile if kind.role == "case" else OrganisationFile
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            shown = _display(path, base)
            if path.name.lower().endswith((".yml", ".yaml")) and (not path.name.endswith(".yaml") or path.name == ".yaml"):
                problems.append(Problem(shown, 1, "file", "case files are named <id>.yaml (lower-case "
                                                          "extension .yaml, an id before it)"))
                continue
            if not path.name.endswith(".yaml"):
                continue  # notes, backups and editor files beside the case files are not case files
            obj, document = load(path, model)
            if document is not None:
                problems.extend(_placeholders(document, shown))
            if obj is None:
                continue
            if obj.kind != kind.kind:
                problems.append(Problem(shown, document.line(("kind",)), "kind",
                                        f"'{obj.kind}' in folder {kind.plural}/; expected '{kind.kind}'"))
                continue
            if obj.id != path.stem:
                problems.append(Problem(shown, document.line(("id",)), "id",
                                        f"id '{obj.id}' must equal the file name '{path.stem}'"))
            target = data.cases if kind.role == "case" else data.organisations
            if obj.id in target:
                problems.append(Problem(shown, document.line(("id",)), "id", f"duplicate id '{obj.id}'"))
                continue
            target[obj.id] = obj
            data.files[f"{kind.kind}/{obj.id}"] = path
            documents[f"{kind.kind}/{obj.id}"] = (document, shown)

    if not problems:
        problems.extend(check_cases_together(data, {k: shown for k, (_, shown) in documents.items()},
                                             _display(study_dir / "study.yaml", base), study_doc))
    for key, (document, shown) in documents.items():
        kind, ident = key.split("/", 1)
        if kind in data.case_kinds():
            case = data.cases[ident]
            problems.extend(check_coded(codebook, case.coded, "case", (), document, shown, kind=kind))
            if case.part_of is not None and case.part_of not in data.cases:
                known = ", ".join(sorted(data.cases)) or "none"
                problems.append(Problem(shown, document.line(("part_of",)), "part_of",
                                        f"unknown case '{case.part_of}'; known: {known}"))
        else:
            problems.extend(check_organisation(data, data.organisations[ident], document, shown))
    if problems:
        raise LoadError(sorted(set(problems), key=lambda p: (p.path, p.line, p.field)))
    return data


def load_model(path: Path, model: type[BaseModel]) -> Any:
    """One file into one model, or LoadError."""
    document, problems = read_yaml(path)
    if document is None:
        raise LoadError(problems)
    obj, problems = parse_model(document, model, str(path))
    if model is Codebook and not problems:
        problems = check_codebook(obj, document, str(path))
    if problems:
        raise LoadError(problems)
    return obj


def load_codebook(path: Path) -> Codebook:
    return load_model(path, Codebook)


def check_codebook(codebook: Codebook, document: Document, shown: str) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    clusters = {c.id for c in codebook.clusters}
    for i, variable in enumerate(codebook.variables):
        loc = ("variables", i)
        if variable.id in seen:
            problems.append(Problem(shown, document.line(loc + ("id",)), "id", f"duplicate variable '{variable.id}'"))
        seen.add(variable.id)
        if variable.type == "categorical":
            if variable.values is None and variable.values_from is None:
                problems.append(Problem(shown, document.line(loc), variable.id, "categorical variable needs values or values_from"))
            if variable.values_from is not None and variable.values_from not in codebook.value_sets:
                problems.append(Problem(shown, document.line(loc + ("values_from",)), variable.id,
                                        f"unknown value set '{variable.values_from}'; defined: {', '.join(codebook.value_sets)}"))
    for i, tactic in enumerate(codebook.tactics):
        if tactic.cluster not in clusters:
            problems.append(Problem(shown, document.line(("tactics", i, "cluster")), tactic.id,
                                    f"unknown cluster '{tactic.cluster}'; defined: {', '.join(sorted(clusters))}"))
    return problems


def check_blocks(study: Study, codebook: Codebook, document: Document, shown: str) -> list[Problem]:
    """Every block names a case kind of the study and variables the codebook defines."""
    problems = []
    case_kinds = [k.kind for k in study.unit_kinds if k.role == "case"]
    seen: set[str] = set()
    outputs: set[str] = set()
    for i, block in enumerate(study.analysis.blocks):
        loc = ("analysis", "blocks", i)

        def add(field_: str, message: str, where: tuple = ()) -> None:
            problems.append(Problem(shown, document.line(loc + where), f"analysis.blocks.{i}.{field_}", message))

        if block.id in seen:
            add("id", f"duplicate block id '{block.id}'", ("id",))
        seen.add(block.id)
        output = getattr(block, "output_file", None)
        if output is not None:
            taken = {f"{b.id}.csv" for b in study.analysis.blocks} | {f"{b.id}-samengevat.csv" for b in study.analysis.blocks}
            if output in taken or output in outputs:
                add("output_file", f"'{output}' is already the output of another block", ("output_file",))
            outputs.add(output)
        if block.kind not in case_kinds:
            add("kind", f"'{block.kind}' is not a case kind of this study; expected one of: {', '.join(case_kinds)}",
                ("kind",))
        unknown = [v for v in block.variables.ids if codebook.variable(v) is None]
        if unknown:
            add("variables", f"not in the codebook: {', '.join(unknown)}", ("variables",))
        chosen = block.variables.select(codebook, block.kind)
        if not chosen:
            add("variables", "selects no variable of the codebook (check group/prefix)", ("variables",))
        needs_integer = block.type == "top-k" or (block.type == "threshold" and block.per == "case")
        for variable_id in chosen if needs_integer else []:
            variable = codebook.variable(variable_id)
            if variable is not None and variable.type != "integer":
                add("variables", f"'{variable_id}' is {variable.type}; {block.type} needs integer variables",
                    ("variables",))
                break
        if block.type == "threshold" and block.per == "case":
            denominator = codebook.variable(block.denominator) if block.denominator else None
            if denominator is None or denominator.type != "integer":
                add("denominator", "per: case needs `denominator`, an integer variable of the codebook",
                    ("denominator",) if block.denominator else ())
        if block.type == "threshold" and block.per == "study" and not block.values:
            add("values", "per: study needs `values`: the codes that count", ())
        if block.type == "threshold" and (block.share is None) == (block.count is None):
            add("share", "give either `share` (0..1) or `count` (per: study only), not both", ())
        if block.type == "threshold" and block.per == "case" and block.count is not None:
            add("count", "per: case compares with the denominator; use `share`", ("count",))
        compare = getattr(block, "compare_with", None)
        if compare is not None and codebook.variable(compare) is None:
            add("compare_with", f"'{compare}' is not in the codebook", ("compare_with",))
        for variable_id in getattr(block, "reported", {}):
            if variable_id not in chosen:
                add("reported", f"'{variable_id}' is not one of the block's variables", ("reported", variable_id))
    return problems


def check_register(study: Study, document: Document, shown: str) -> list[Problem]:
    """Each item says what became of it, with the reason when it was not taken over; a derived item names
    the block that derives it; the author's rows fit the columns they claim."""
    problems = []
    blocks = {b.id for b in study.analysis.blocks}
    seen: set[str] = set()
    for i, item in enumerate(study.reproduction):
        loc = ("reproduction", i)

        def add(field_: str, message: str, where: tuple = ()) -> None:
            problems.append(Problem(shown, document.line(loc + where), f"reproduction.{i}.{field_}", message))

        if item.id in seen:
            add("id", f"duplicate register id '{item.id}'", ("id",))
        seen.add(item.id)
        if item.status == "niet-overgenomen" and item.reason is None:
            add("reason", "status 'niet-overgenomen' needs `reason`: why the item is not taken over")
        if item.status != "niet-overgenomen" and item.reason is not None:
            add("reason", f"`reason` is for items not taken over; this one is '{item.status}'", ("reason",))
        if item.status == "afgeleid" and item.block is None:
            add("block", "status 'afgeleid' needs `block`: the block that derives it")
        if item.block is not None and item.block not in blocks:
            add("block", f"unknown block '{item.block}'; defined: {', '.join(sorted(blocks)) or 'none'}", ("block",))
        if item.compare is not None:
            compare = item.compare
            if item.block is None:
                add("compare", "`compare` needs `block`: the table the author's values are set against", ("compare",))
            if not compare.rows and not compare.cells:
                add("compare", "give the author's `rows` or `cells`", ("compare",))
            if compare.rows and not compare.columns:
                add("compare.columns", "`rows` need `columns`: what each value of a row is", ("compare",))
            for j, row in enumerate(compare.rows):
                if len(row) != len(compare.columns):
                    add(f"compare.rows.{j}", f"{len(row)} values for {len(compare.columns)} columns "
                        f"({', '.join(compare.columns)})", ("compare", "rows", j))
            unknown = [c for c in compare.key if c not in compare.columns]
            if unknown:
                add("compare.key", f"not among `columns`: {', '.join(unknown)}", ("compare", "key"))
            if compare.show is not None:
                missing = [c for c in (compare.show.index, compare.show.columns, compare.show.values)
                           if c not in compare.columns]
                if missing:
                    add("compare.show", f"not among `columns`: {', '.join(missing)}", ("compare", "show"))
    return problems


def check_coded(codebook: Codebook, coded: dict, level: str, loc: Path_, document: Document, shown: str,
                kind: str | None = None) -> list[Problem]:
    problems = []
    missing = codebook.missing()
    for variable_id, coded_value in coded.items():
        where = loc + ("coded", variable_id)
        line = document.line(where)
        variable = codebook.variable(variable_id)
        if variable is None:
            problems.append(Problem(shown, line, variable_id, "variable is not defined in the codebook"))
            continue
        if variable.level != level:
            problems.append(Problem(shown, line, variable_id,
                                    f"variable belongs at level '{variable.level}', not '{level}'"))
        elif kind is not None and variable.kinds is not None and kind not in variable.kinds:
            problems.append(Problem(shown, line, variable_id,
                                    f"variable belongs to kinds {', '.join(variable.kinds)}, not '{kind}'"))
        value = coded_value.value
        value_line = document.line(where + ("value",))
        if isinstance(value, str) and value in missing:
            continue
        if variable.type == "text" and not isinstance(value, str):
            problems.append(Problem(shown, value_line, f"{variable_id}.value",
                                    f"a text variable, but YAML reads {value!r} as a number or truth value; "
                                    "put the text in quotes"))
        elif variable.type == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append(Problem(shown, value_line, f"{variable_id}.value", f"expected a whole number, found '{value}'"))
        elif variable.type == "categorical":
            allowed = [v.code for v in codebook.allowed_values(variable)]
            if str(value) not in allowed:
                options = ", ".join(allowed + sorted(missing))
                problems.append(Problem(shown, value_line, f"{variable_id}.value",
                                        f"'{value}' is not allowed; expected one of: {options}"))
    return problems


def check_organisation(data: StudyData, org: OrganisationFile, document: Document, shown: str) -> list[Problem]:
    codebook = data.codebook
    problems = check_coded(codebook, org.coded, "organisation", (), document, shown)
    seen_cases: set[str] = set()
    for i, unit in enumerate(org.units):
        loc = ("units", i)
        if unit.case not in data.cases:
            known = ", ".join(sorted(data.cases)) or "none"
            problems.append(Problem(shown, document.line(loc + ("case",)), f"units.{i}.case",
                                    f"unknown {data.case_kind()} '{unit.case}'; known: {known}"))
        if unit.case in seen_cases:
            problems.append(Problem(shown, document.line(loc + ("case",)), f"units.{i}.case",
                                    f"a second unit in '{unit.case}'; one unit per {data.case_kind()}"))
        seen_cases.add(unit.case)
        problems.extend(check_coded(codebook, unit.coded, "unit", loc, document, shown))
        for j, period in enumerate(unit.reaction):
            ploc = loc + ("reaction", j)
            clusters = set()
            for k, tactic_id in enumerate(period.tactics):
                tactic = codebook.tactic(tactic_id)
                if tactic is None:
                    allowed = ", ".join(t.id for t in codebook.tactics)
                    problems.append(Problem(shown, document.line(ploc + ("tactics", k)), f"units.{i}.reaction.{j}.tactics",
                                            f"unknown tactic '{tactic_id}'; expected one of: {allowed}"))
                else:
                    clusters.add(tactic.cluster)
            if period.dominant_tactic is not None and period.dominant_tactic not in period.tactics:
                problems.append(Problem(shown, document.line(ploc + ("dominant_tactic",)), f"units.{i}.reaction.{j}.dominant_tactic",
                                        f"'{period.dominant_tactic}' is not one of this period's tactics"))
            elif len(clusters) > 1 and period.dominant_tactic is None:
                problems.append(Problem(shown, document.line(ploc), f"units.{i}.reaction.{j}",
                                        "tactics fall in different clusters (" + ", ".join(sorted(clusters))
                                        + "); set dominant_tactic to the one the source says dominates"))
    return problems
