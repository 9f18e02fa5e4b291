"""The appraiser page's filter dropdowns (issue 7, W2), offered from the campaigns she works for
rather than from the dossiers: each one statement over the campaign, round, award and unit
tables, so its cost does not grow with the number of nominations (a DISTINCT over "my tasks or
my office's queue" read ~42,000 rows at 1,000,000 nominations).

``campaigns`` is the condition on ``Campaign`` of the campaigns whose dossiers the page lists
(``services.visibility.campaign_filter(actor, with_office=True)``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, aliased

from awardflow.db.models import Award, Campaign, Round, Unit


def rounds_of_campaigns(session: Session, campaigns: ColumnElement[bool]) -> Sequence[Round]:
    """The rounds of these campaigns, newest first (also those with no dossier yet)."""
    ids = select(Campaign.id).where(campaigns)
    stmt = select(Round).where(Round.campaign_id.in_(ids)).order_by(Round.opens.desc(), Round.id)
    return session.execute(stmt).scalars().all()


def awards_of_campaigns(session: Session, campaigns: ColumnElement[bool]) -> Sequence[Award]:
    """The award forms these campaigns offer, campaign by campaign."""
    ids = select(Campaign.id).where(campaigns)
    stmt = select(Award).where(Award.campaign_id.in_(ids)).order_by(Award.campaign_id, Award.id)
    return session.execute(stmt).scalars().all()


def units_of_campaigns(session: Session, campaigns: ColumnElement[bool]) -> Sequence[Unit]:
    """The units that take part in these campaigns, by name: the subtree of each campaign's
    organiser (a unit takes part in the campaigns organised above it, as on the unit's page)."""
    organiser = aliased(Unit)
    over = (
        select(Campaign.id)
        .join(organiser, organiser.id == Campaign.organiser_unit_id)
        .where(campaigns, Unit.path.startswith(organiser.path))
    )
    stmt = select(Unit).where(exists(over)).order_by(Unit.name, Unit.id)
    return session.execute(stmt).scalars().all()
