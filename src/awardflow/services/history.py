"""Writing imported history rows (``campaigns.history_import``) into the nominee's record.

Each parsed row names its nominee by code: a person's code (an individual) or a unit's code
(a collective); a person's code wins when both match. A row whose code matches neither is
reported and the other rows still import. Rows are upserted by their natural key, so importing
the same file twice writes nothing the second time:

- rating: nominee + year (the rating is updated);
- award: nominee + award code + year (type, decision and issuer are updated);
- initiative: its code (title, scope and year are updated; it must stay with its nominee);
- exclusion: nominee + kind + start day (end, level and note are updated).

The caller owns the transaction; this module never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.history_import import ParsedRow, RowError
from awardflow.db.models import AwardHistory, ExclusionRecord, InitiativeRecord, YearlyRating
from awardflow.db.repositories import history as repo
from awardflow.states.eligibility.facts import AwardRecord, Exclusion, Initiative, Rating

__all__ = ["ImportReport", "import_history"]

Row = YearlyRating | AwardHistory | InitiativeRecord | ExclusionRecord


@dataclass(slots=True)
class ImportReport:
    """``added`` new rows, ``updated`` changed ones, ``skipped`` rows already stored as they are;
    ``errors`` are the rows left out, each with its reason in both languages."""

    added: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def import_history(
    session: Session, rows: Iterable[ParsedRow], errors: Iterable[RowError] = ()
) -> ImportReport:
    """Upsert every row's fact; ``errors`` (the parser's) are carried into the report."""
    report = ImportReport(errors=list(errors))
    owners: dict[str, tuple[int | None, int | None] | None] = {}
    for row in rows:
        if row.nominee_code not in owners:
            owners[row.nominee_code] = _owner(session, row.nominee_code)
        owner = owners[row.nominee_code]
        if owner is None:
            report.errors.append(_unknown_code(row))
            continue
        candidate = _row_for(row, *owner)
        if candidate is None:  # a rating row without its year: the parser never emits one
            continue
        outcome = _upsert(session, candidate, row, report)
        if outcome == "added":
            report.added += 1
        elif outcome == "updated":
            report.updated += 1
        elif outcome == "skipped":
            report.skipped += 1
    report.errors.sort(key=lambda e: e.row)
    session.flush()
    return report


def _owner(session: Session, code: str) -> tuple[int | None, int | None] | None:
    person_id = repo.person_id_by_code(session, code)
    if person_id is not None:
        return person_id, None
    unit_id = repo.unit_id_by_code(session, code)
    return (None, unit_id) if unit_id is not None else None


def _unknown_code(row: ParsedRow) -> RowError:
    return RowError(
        row.row,
        "nominee_code",
        f"Không có cá nhân hay đơn vị nào mang mã «{row.nominee_code}».",
        f"No person or unit has the code '{row.nominee_code}'.",
    )


def _row_for(row: ParsedRow, person_id: int | None, unit_id: int | None) -> Row | None:
    """The row the fact becomes (not yet added to the session)."""
    fact = row.fact
    owner: dict[str, Any] = {"person_id": person_id, "unit_id": unit_id}
    if isinstance(fact, Rating):
        if row.year is None:
            return None
        return YearlyRating(**owner, year=row.year, rating=fact.value)
    if isinstance(fact, AwardRecord):
        return AwardHistory(
            **owner,
            award_code=fact.code,
            award_type=fact.award_type.value,
            year=fact.year,
            decision_number=fact.decision_number,
            decision_date=fact.decision_date,
            issuer=row.note or None,
        )
    if isinstance(fact, Initiative):
        return InitiativeRecord(
            **owner, code=fact.id, title=fact.title, scope=fact.scope.value, year=fact.year
        )
    assert isinstance(fact, Exclusion)
    return ExclusionRecord(
        **owner,
        kind=fact.kind.value,
        start=fact.start,
        end=fact.end,
        level=fact.level,
        note=row.note,
    )


#: The columns an import may change on a stored row, by table (the rest is the natural key).
_UPDATABLE: dict[type[Row], tuple[str, ...]] = {
    YearlyRating: ("rating",),
    AwardHistory: ("award_type", "decision_number", "decision_date", "issuer"),
    InitiativeRecord: ("title", "scope", "year"),
    ExclusionRecord: ("end", "level", "note"),
}


def _stored(session: Session, candidate: Row) -> Row | None:
    if isinstance(candidate, YearlyRating):
        return repo.rating_like(session, candidate)
    if isinstance(candidate, AwardHistory):
        return repo.award_like(session, candidate)
    if isinstance(candidate, InitiativeRecord):
        return repo.initiative_by_code(session, candidate.code)
    return repo.exclusion_like(session, candidate)


def _upsert(session: Session, candidate: Row, row: ParsedRow, report: ImportReport) -> str:
    """Add the row, or update its stored twin; returns added | updated | skipped | error."""
    stored = _stored(session, candidate)
    if stored is None:
        repo.add(session, candidate)
        session.flush()  # the next row of the file may be this row's twin
        return "added"
    if isinstance(stored, InitiativeRecord) and (stored.person_id, stored.unit_id) != (
        candidate.person_id,
        candidate.unit_id,
    ):
        report.errors.append(
            RowError(
                row.row,
                "value",
                f"Sáng kiến «{stored.code}» đã được ghi cho một đối tượng khác.",
                f"Initiative '{stored.code}' is already recorded for another nominee.",
            )
        )
        return "error"
    changed = False
    for column in _UPDATABLE[type(candidate)]:
        value = getattr(candidate, column)
        if getattr(stored, column) != value:
            setattr(stored, column, value)
            changed = True
    return "updated" if changed else "skipped"
