"""Pydantic's validation errors, retold for the author of a campaign file: the dotted field,
what was expected (with an example), in Vietnamese and in English.

Pydantic's own messages are English and say what failed ("Input should be a valid date");
an officer editing a YAML file needs what to write instead ("expected a date like
2026-12-15"). Rule errors raised by the schema (``campaign_rule``) already carry both
languages and are only unpacked here.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from awardflow.campaigns.schema_base import RULE_ERROR, Issue, Loc

__all__ = ["dotted", "explain"]

Explained = tuple[Loc, str, str]


def dotted(loc: Loc) -> str:
    """``('rounds', 3, 'dates', 'council_by')`` → ``rounds[3].dates.council_by``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith("["):  # pydantic's "[key]" marker for a bad mapping key
            out += f".{part}" if out else part
    return out


def explain(error: ErrorDetails, root: type[BaseModel]) -> list[Explained]:
    """One or more (path, Vietnamese, English) for one pydantic error."""
    loc: Loc = tuple(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if error["type"] == RULE_ERROR:
        issues: tuple[Issue, ...] = ctx["issues"]
        return [((*loc, *i.loc), i.vi, i.en) for i in issues]
    vi, en = _retell(error["type"], loc, ctx, error.get("input"), root, error["msg"])
    return [(loc, vi, en)]


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _retell(
    kind: str, loc: Loc, ctx: Mapping[str, Any], value: Any, root: type[BaseModel], msg: str
) -> tuple[str, str]:
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    got_vi, got_en = f", nhận được {_got(value)}", f", got {_got(value)}"
    if kind == "missing":
        exp_vi, exp_en = _expected(_annotation_at(root, loc))
        return (
            f"thiếu trường bắt buộc '{name}': cần {exp_vi}",
            f"required field '{name}' is missing: expected {exp_en}",
        )
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        valid = ", ".join(model.model_fields) if model else "?"
        return (
            f"trường '{name}' không có trong mẫu (viết sai tên?); các trường hợp lệ: {valid}",
            f"unknown field '{name}' (a typo?); expected one of: {valid}",
        )
    if kind in ("enum", "literal_error"):
        return (
            f"giá trị {_got(value)} không hợp lệ; chọn một trong: {ctx.get('expected')}",
            f"unknown value {_got(value)}; expected one of: {ctx.get('expected')}",
        )
    if kind == "string_pattern_mismatch":
        return (
            "cần một mã gồm chữ thường không dấu và số, nối bằng '-', ví dụ annual-2026" + got_vi,
            "expected a code of lower-case ASCII letters and digits joined by '-', "
            "e.g. annual-2026" + got_en,
        )
    if kind == "string_too_short":
        return "không được để trống", "must not be empty"
    for bound, sign in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
        if bound in ctx:
            return (
                f"cần giá trị {sign} {ctx[bound]}" + got_vi,
                f"expected {sign} {ctx[bound]}" + got_en,
            )
    shape = _SHAPES.get(kind.split("_")[0])
    if shape:
        return f"cần {shape[0]}" + got_vi, f"expected {shape[1]}" + got_en
    # An error this module does not know: keep pydantic's words as the detail.
    exp_vi, exp_en = _expected(_annotation_at(root, loc))
    return f"cần {exp_vi}{got_vi} ({msg})", f"expected {exp_en}{got_en} ({msg})"


#: What a failed type check expected, by the first word of pydantic's error type.
_SHAPES: dict[str, tuple[str, str]] = {
    "date": ("một ngày dạng 2026-12-15 (năm-tháng-ngày)", "a date like 2026-12-15 (YYYY-MM-DD)"),
    "int": ("một số nguyên, ví dụ 10", "a whole number, e.g. 10"),
    "float": ("một số, ví dụ 0.8", "a number, e.g. 0.8"),
    "bool": ("true hoặc false", "true or false"),
    "string": ("một đoạn chữ", "text"),
    "tuple": ("một danh sách (các dòng bắt đầu bằng '- ')", "a list (lines starting with '- ')"),
    "list": ("một danh sách (các dòng bắt đầu bằng '- ')", "a list (lines starting with '- ')"),
    "model": ("một mục gồm các dòng 'tên: giá trị'", "a section of 'name: value' lines"),
    "dict": ("một mục gồm các dòng 'tên: giá trị'", "a section of 'name: value' lines"),
}


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``| None`` to the type a value must have."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
            return tp


def _annotation_at(root: type[BaseModel], loc: Loc) -> Any:
    """The declared type at ``loc`` (None when the path leaves the schema)."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        origin = get_origin(tp)
        if isinstance(part, int) and origin is tuple:
            tp = get_args(tp)[0]
        elif isinstance(part, str) and isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return None
            tp = tp.model_fields[part].annotation
        elif isinstance(part, str) and origin in (dict, Mapping):
            tp = get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    tp = _annotation_at(root, loc)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _expected(tp: Any) -> tuple[str, str]:
    """A short description of a type, with an example where one helps."""
    if tp is dt.date:
        return _SHAPES["date"]
    if tp is bool:
        return _SHAPES["bool"]
    if tp is int:
        return _SHAPES["int"]
    if tp is float:
        return _SHAPES["float"]
    if tp is str:
        return _SHAPES["string"]
    if get_origin(tp) is tuple:
        return _SHAPES["tuple"]
    if isinstance(tp, type) and issubclass(tp, Enum):
        choices = ", ".join(str(m.value) for m in tp)
        return f"một trong: {choices}", f"one of: {choices}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        fields = ", ".join(n for n, f in tp.model_fields.items() if f.is_required())
        return (
            f"một mục gồm các dòng 'tên: giá trị' ({fields})",
            f"a section of 'name: value' lines ({fields})",
        )
    if get_origin(tp) in (dict, Mapping):
        return _SHAPES["dict"]
    return "một giá trị hợp lệ", "a valid value"
