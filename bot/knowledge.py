"""Knowledge files: pydantic models, loading with file:line:field errors, and export.

`knowledge/` is the reviewable source of truth: one YAML file per procedure, plus
`agency.yaml` and `synonyms.yaml`. Everything that reads or writes those files lives here.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

Channel = Literal["in_person", "post", "online"]
CODE_PATTERN = r"^\d\.\d{6}$"
SLUG_MAX = 40
NonEmpty = Annotated[str, Field(min_length=1)]
ModelT = TypeVar("ModelT", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value: Any) -> Any:
        return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class ProcessingTime(_Strict):
    """In working days ("10 ngày làm việc"), or in calendar days when the law says only "ngày"
    ("25 ngày kể từ …": weekends and holidays count); `text` as published."""

    working_days: int | None = Field(default=None, ge=0, le=3650)
    calendar_days: int | None = Field(default=None, ge=0, le=3650)
    text: str | None = None

    @model_validator(mode="after")
    def _one_count(self) -> ProcessingTime:
        if self.working_days is not None and self.calendar_days is not None:
            raise ValueError("give working_days or calendar_days, not both")
        return self

    @property
    def counted(self) -> tuple[int, bool] | None:
        """(days, in calendar days) when the time is a number of days."""
        if self.working_days is not None:
            return self.working_days, False
        return None if self.calendar_days is None else (self.calendar_days, True)


class Document(_Strict):
    name: NonEmpty
    copies: int | None = Field(default=None, ge=0)
    note: str | None = None
    form_url: str | None = None


class Fee(_Strict):
    text: NonEmpty
    amount_vnd: int | None = Field(default=None, ge=0)


class Submission(_Strict):
    channels: list[Channel] = []
    where: str | None = None
    online_url: str | None = None


class Procedure(_Strict):
    """One administrative procedure; field names are a contract other tools read."""

    code: Annotated[str, Field(pattern=CODE_PATTERN)] | None = None
    name: NonEmpty
    field: NonEmpty
    agency: NonEmpty
    level: str | None = None
    processing_time: ProcessingTime = ProcessingTime()
    documents: list[Document] = []
    fees: list[Fee] = []
    submission: Submission = Submission()
    legal_basis: list[NonEmpty] = []
    conditions: str | None = None
    result: str | None = None
    validity: str | None = None  # how long the result stays valid ("05 năm kể từ ngày cấp")
    steps: list[NonEmpty] = []
    aliases: list[NonEmpty] = []
    source_url: NonEmpty
    source_note: str | None = None
    verified_on: date

    @property
    def key(self) -> str:
        """Stable identifier: the national code, or a slug of the name when none exists."""
        return self.code or slugify(self.name)


class Agency(_Strict):
    """The department and its one-stop desk, as shown in fallback and contact replies."""

    name: NonEmpty
    desk_name: str | None = None
    address: str | None = None
    hotline: str | None = None
    email: str | None = None
    hours: str | None = None
    website: str | None = None
    portal_url: str | None = None
    national_portal_url: str | None = "https://dichvucong.gov.vn"
    source_urls: list[str] = []
    source_note: str | None = None
    verified_on: date | None = None


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows, loaded from files or from the database."""

    procedures: tuple[Procedure, ...]
    agency: Agency
    synonyms: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a knowledge file, located for the editor."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field or '-'}: {self.message}"


class KnowledgeError(Exception):
    """Knowledge files are invalid; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@lru_cache(maxsize=4096)  # every procedure's key, read many times per question
def slugify(text: str) -> str:
    """ASCII slug used as a file name for procedures without a national code."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > SLUG_MAX:  # keys travel in 64-byte button payloads: cut, keep unique
        digest = hashlib.sha1(slug.encode()).hexdigest()[:6]
        slug = slug[: SLUG_MAX - 6].rsplit("-", 1)[0] + "-" + digest
    return slug or "thu-tuc"


# ---------------------------------------------------------------- loading


def _node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """1-based line of the YAML node at `loc`, or of its deepest existing parent."""
    line = node.start_mark.line + 1 if node else 1
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:  # unknown key: point at the key itself
                key = next((k for k, _ in node.value if k.value == part), None)
                return key.start_mark.line + 1 if key else line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            child = node.value[part] if part < len(node.value) else None
        if child is None:
            return line
        node, line = child, child.start_mark.line + 1
    return line


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.safe_load(text), yaml.compose(text), []
    except UnicodeDecodeError as exc:
        return None, None, [Problem(path, 1, "", f"not UTF-8 text ({exc.reason})")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return None, None, [Problem(path, line, "", f"YAML syntax error: {reason}")]


def _validate(
    model: type[ModelT], path: Path, data: Any, node: yaml.Node | None
) -> tuple[ModelT | None, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "", "expected a mapping of field: value")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("[")))
            where = ".".join(str(p) for p in loc)
            message = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
            problems.append(Problem(path, _node_line(node, loc), where, message))
        return None, problems


def load_procedure_file(path: Path) -> tuple[Procedure | None, list[Problem]]:
    """Parse and validate one procedure file; the file name must be its key."""
    data, node, problems = _read_yaml(path)
    if problems:
        return None, problems
    procedure, problems = _validate(Procedure, path, data, node)
    if procedure and path.stem != procedure.key:
        key_field = "code" if procedure.code else "name"
        line = _node_line(node, (key_field,))
        problems.append(Problem(path, line, key_field, f"file must be named {procedure.key}.yaml"))
        procedure = None
    return procedure, problems


def _load_synonyms(path: Path) -> tuple[dict[str, str], list[Problem]]:
    if not path.exists():
        return {}, []
    data, node, problems = _read_yaml(path)
    if problems:
        return {}, problems
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(path, 1, "", "expected a mapping of word: canonical words")]
    synonyms: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            line = _node_line(node, (key,)) if isinstance(key, str) else 1
            problems.append(Problem(path, line, str(key), "expected text: text"))
            continue
        synonyms[unicodedata.normalize("NFC", key.strip().lower())] = unicodedata.normalize(
            "NFC", value.strip()
        )
    return synonyms, problems


def check_procedures(procedures: Iterable[tuple[Path, Procedure]]) -> list[Problem]:
    """Cross-file rules: keys (codes) are unique."""
    seen: dict[str, Path] = {}
    problems = []
    for path, procedure in procedures:
        if procedure.key in seen:
            problems.append(
                Problem(path, 1, "code", f"duplicate of {seen[procedure.key]} ({procedure.key})")
            )
        seen.setdefault(procedure.key, path)
    return problems


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load and validate a knowledge directory; raise KnowledgeError listing every problem."""
    if not directory.is_dir():
        raise KnowledgeError([Problem(directory, 1, "", "knowledge directory not found")])
    problems: list[Problem] = []
    loaded: list[tuple[Path, Procedure]] = []
    for path in sorted((directory / "procedures").glob("*.yaml")):
        procedure, file_problems = load_procedure_file(path)
        problems += file_problems
        if procedure:
            loaded.append((path, procedure))
    problems += check_procedures(loaded)
    agency_path = directory / "agency.yaml"
    agency = None
    if agency_path.exists():
        data, node, agency_problems = _read_yaml(agency_path)
        if not agency_problems:
            agency, agency_problems = _validate(Agency, agency_path, data, node)
        problems += agency_problems
    else:
        problems.append(Problem(agency_path, 1, "", "file missing"))
    synonyms, synonym_problems = _load_synonyms(directory / "synonyms.yaml")
    problems += synonym_problems
    if problems or agency is None:
        raise KnowledgeError(problems)
    return KnowledgeBase(tuple(p for _, p in loaded), agency, synonyms)


def load_jsonl(path: Path) -> list[Procedure]:
    """Procedures from the JSONL that `kb export --format jsonl` writes."""
    problems: list[Problem] = []
    procedures: list[Procedure] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(path, number, "", f"invalid JSON: {exc.msg}"))
            continue
        procedure, line_problems = _validate(Procedure, path, data, None)
        problems += [Problem(p.path, number, p.field, p.message) for p in line_problems]
        if procedure:
            procedures.append(procedure)
    problems += check_procedures((path, p) for p in procedures)
    if problems:
        raise KnowledgeError(problems)
    return procedures


# ---------------------------------------------------------------- export


def to_yaml(data: Any) -> str:
    """Deterministic, human-friendly YAML (unicode kept, field order kept)."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def export_yaml(kb: KnowledgeBase, directory: Path) -> None:
    """Write the knowledge base as files; procedure files no longer present are removed."""
    procedures_dir = directory / "procedures"
    procedures_dir.mkdir(parents=True, exist_ok=True)
    wanted = {f"{p.key}.yaml": p for p in kb.procedures}
    for stale in procedures_dir.glob("*.yaml"):
        if stale.name not in wanted:
            stale.unlink()
    for name, procedure in sorted(wanted.items()):
        (procedures_dir / name).write_text(to_yaml(procedure.model_dump()), encoding="utf-8")
    (directory / "agency.yaml").write_text(to_yaml(kb.agency.model_dump()), encoding="utf-8")
    (directory / "synonyms.yaml").write_text(to_yaml(dict(sorted(kb.synonyms.items()))), "utf-8")


def export_jsonl(procedures: Iterable[Procedure], path: Path) -> None:
    """One JSON object per procedure, ordered by key."""
    lines = [
        json.dumps(p.model_dump(mode="json"), ensure_ascii=False)
        for p in sorted(procedures, key=lambda p: p.key)
    ]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def json_schema() -> str:
    """JSON Schema of a procedure file, for editors (`knowledge/schema.json`)."""
    return json.dumps(Procedure.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
