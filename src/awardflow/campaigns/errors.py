"""What is wrong with a campaign file, said so that its author can fix it.

A campaign definition is written by hand by a department's emulation officer, in YAML. When it
is wrong, "validation error" helps nobody: each :class:`Problem` names the file, the line and
column, the field as a dotted path (``rounds[3].dates.council_by``) and what was expected, in
Vietnamese and in English. :class:`CampaignFileError` carries all of them at once, so one run
shows every mistake instead of one per attempt.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from awardflow.errors import InvalidInput

__all__ = ["CampaignFileError", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a campaign file.

    ``line`` and ``column`` are 1-based, as editors show them; both are ``None`` when the
    problem is not tied to a place (the file cannot be read). ``field`` is empty for problems
    of the whole document (malformed YAML, an empty file).
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message_vi: str
    message_en: str

    def where(self) -> str:
        """``file:line:column`` as compilers print it, so editors can jump to the place."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.where()}:{field} {self.message_en} / {self.message_vi}"


class CampaignFileError(InvalidInput):
    """A campaign file that cannot be loaded; ``problems`` lists every reason, first line first.

    It is bad input (HTTP 422 when uploaded through the API): its own message is the first
    problem, and ``field`` is that problem's field.
    """

    code = "campaign_file_invalid"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("CampaignFileError needs at least one problem")
        first = self.problems[0]
        more_vi = f" (và {len(self.problems) - 1} lỗi khác)" if len(self.problems) > 1 else ""
        more_en = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(
            f"{first.where()}: {first.message_vi}{more_vi}",
            f"{first.where()}: {first.message_en}{more_en}",
            field=first.field or None,
        )

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
