"""Loading campaign files: YAML in, a validated :class:`CampaignDefinition` or every problem
out, each with its file, line, column, dotted field and a message in Vietnamese and English.

``validate_file`` is for editors and the CLI (``awardflow campaign check``): it never raises
for a bad file and returns the problems, first line first. ``load_definition`` is for code
that needs the definition: it returns one or raises :class:`CampaignFileError`.
``definition_fingerprint`` tells whether a reloaded file changed anything that matters (comments
and layout do not), so an unchanged campaign is not written to the database again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from awardflow.campaigns.errors import CampaignFileError, Problem
from awardflow.campaigns.messages import dotted, explain
from awardflow.campaigns.schema import CampaignDefinition
from awardflow.campaigns.yaml_source import Position, YamlSource, read_yaml

__all__ = [
    "CampaignFileError",
    "Problem",
    "definition_fingerprint",
    "load_definition",
    "parse_definition",
    "validate_file",
]

_Reader = Callable[[], str]
_ProblemMaker = Callable[[Position | None, str, str, str], Problem]


def load_definition(path: Path) -> CampaignDefinition:
    """The campaign defined in ``path``; :class:`CampaignFileError` listing every problem if
    the file cannot be read, is not YAML, or breaks the schema."""
    definition, problems = _load(str(path), lambda: _read_text(path))
    if definition is None:
        raise CampaignFileError(problems)
    return definition


def validate_file(path: Path) -> list[Problem]:
    """Every problem of the campaign file at ``path``, first line first; empty when it is valid."""
    return _load(str(path), lambda: _read_text(path))[1]


def parse_definition(text: str, file: str = "<text>") -> CampaignDefinition:
    """Like :func:`load_definition` for YAML already in memory (an upload); ``file`` names it
    in the problems."""
    definition, problems = _load(file, lambda: text)
    if definition is None:
        raise CampaignFileError(problems)
    return definition


def definition_fingerprint(definition: CampaignDefinition) -> str:
    """SHA-256 of the definition's canonical JSON (sorted keys, defaults filled in): equal for
    files that differ only in comments, layout or spelled-out defaults."""
    canonical = json.dumps(
        definition.model_dump(mode="json"),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Unreadable(Exception):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise _Unreadable(
            f"không đọc được tệp ({reason})", f"cannot read the file ({reason})"
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            f"tệp không phải văn bản UTF-8 (byte lỗi ở vị trí {exc.start}); hãy lưu lại dạng UTF-8",
            f"the file is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8",
        ) from exc


def _load(file: str, read: _Reader) -> tuple[CampaignDefinition | None, list[Problem]]:
    """The definition (or None) and every problem found, sorted by position."""

    def problem(pos: Position | None, field: str, vi: str, en: str) -> Problem:
        line, column = (pos.line, pos.column) if pos else (None, None)
        return Problem(file, line, column, field, vi, en)

    try:
        source = read_yaml(read())
    except _Unreadable as exc:
        return None, [problem(None, "", exc.vi, exc.en)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position.of(mark) if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return None, [problem(pos, "", f"YAML sai cú pháp: {what}", f"malformed YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [problem(None, "", f"YAML sai cú pháp: {exc}", f"malformed YAML: {exc}")]

    problems = [
        problem(
            d.position,
            dotted(d.loc),
            f"khóa '{d.loc[-1]}' được viết hai lần (lần đầu ở dòng {d.first.line}); giữ một",
            f"key '{d.loc[-1]}' is written twice (first on line {d.first.line}); keep one",
        )
        for d in source.duplicates
    ]
    definition = _validate(source, problems, problem)
    problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.field))
    return (definition if not problems else None), problems


def _validate(
    source: YamlSource, problems: list[Problem], problem: _ProblemMaker
) -> CampaignDefinition | None:
    if source.data is None:
        problems.append(
            problem(
                None,
                "",
                "tệp trống; cần một phong trào thi đua (code:, title:, phases:, …)",
                "the file is empty; expected a campaign definition (code:, title:, phases:, …)",
            )
        )
        return None
    if not isinstance(source.data, Mapping):
        problems.append(
            problem(
                source.index.locate(()),
                "",
                "cấp ngoài cùng phải là các dòng 'tên: giá trị' (code:, title:, phases:, …)",
                "expected 'name: value' lines at the top level (code:, title:, phases:, …)",
            )
        )
        return None
    try:
        return CampaignDefinition.model_validate(source.data)
    except ValidationError as exc:
        for error in exc.errors():
            for loc, vi, en in explain(error, CampaignDefinition):
                problems.append(problem(source.index.locate(loc), dotted(loc), vi, en))
        return None
