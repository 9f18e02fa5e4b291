"""Queries over submissions upward and decisions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from awardflow.db.models import Award, Nomination, Submission, SubmissionItem
from awardflow.states.lifecycle import NominationState


def in_any_submission(session: Session, nomination_id: int) -> bool:
    stmt = select(SubmissionItem.id).where(SubmissionItem.nomination_id == nomination_id).limit(1)
    return session.execute(stmt).first() is not None


_PACKAGED = (
    select(SubmissionItem.nomination_id)
    .where(SubmissionItem.nomination_id.in_(bindparam("ids", expanding=True)))
    .distinct()
)


def packaged(session: Session, nomination_ids: Sequence[int]) -> set[int]:
    """Which of these nominations are in some submission (:func:`in_any_submission` for a
    batch, in one statement)."""
    params = {"ids": list(nomination_ids)}
    return {int(n) for n in session.connection().execute(_PACKAGED, params).scalars()}


def by_batch_key(session: Session, batch_key: str) -> Submission | None:
    return session.execute(
        select(Submission).where(Submission.batch_key == batch_key)
    ).scalar_one_or_none()


def add(session: Session, obj: object) -> None:
    session.add(obj)


_ITEMS: Table = SubmissionItem.__table__  # type: ignore[assignment]
_ADD_ITEM = insert(_ITEMS)


def add_items(session: Session, submission_id: int, nomination_ids: Sequence[int]) -> None:
    """The package's items, in one executemany (nothing reads them back as objects)."""
    if nomination_ids:
        rows = [{"submission_id": submission_id, "nomination_id": n} for n in nomination_ids]
        session.connection().execute(_ADD_ITEM, rows)


def item_ids(session: Session, submission_id: int) -> list[int]:
    stmt = select(SubmissionItem.nomination_id).where(SubmissionItem.submission_id == submission_id)
    return list(session.execute(stmt.order_by(SubmissionItem.id)).scalars())


def approved_for_authority(
    session: Session, round_id: int, deciding_authorities: list[str]
) -> list[tuple[int, str, str, str]]:
    """(id, nominee, award code, award name) of the round's council-approved nominations whose
    award is decided by one of ``deciding_authorities`` and that are in no submission yet."""
    packaged = select(SubmissionItem.nomination_id)
    stmt = (
        select(Nomination.id, Nomination.nominee_name, Award.code, Award.name)
        .join(Award, Award.id == Nomination.award_id)
        .where(
            Nomination.round_id == round_id,
            Nomination.state == NominationState.COUNCIL_APPROVED,
            Award.deciding_authority.in_(deciding_authorities),
            Nomination.id.not_in(packaged),
        )
        .order_by(Nomination.id)
    )
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(stmt)]


def unfinished(session: Session, round_id: int, authority_unit_id: int) -> list[Submission]:
    """Packages created but not yet fully submitted (a run that stopped halfway)."""
    stmt = select(Submission).where(
        Submission.round_id == round_id,
        Submission.authority_unit_id == authority_unit_id,
        Submission.status == "prepared",
    )
    return list(session.execute(stmt.order_by(Submission.id)).scalars())


def unsent(session: Session) -> list[Submission]:
    """Packages submitted but not yet handed to the authority's system."""
    stmt = select(Submission).where(
        Submission.gateway_ref.is_(None), Submission.status != "prepared"
    )
    return list(session.execute(stmt.order_by(Submission.id)).scalars())


def awaiting_answer(session: Session) -> list[Submission]:
    stmt = select(Submission).where(Submission.gateway_ref.is_not(None))
    return list(session.execute(stmt.order_by(Submission.id)).scalars())


def get(session: Session, submission_id: int) -> Submission | None:
    return session.get(Submission, submission_id)
