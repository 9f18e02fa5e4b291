"""Who may see what: the one place the API's scope rules live (issue 6, §2).

- unit clerk / unit head: nominations of units in their grants' subtrees;
- appraiser: nominations (past draft) of campaigns whose appraising office is in her subtree;
- supervisor, director, council secretary and members: nominations (past draft) of campaigns
  whose organiser is in their subtree;
- authority: nominations in a submission to a unit in its subtree, or submitted / returned by
  it on a campaign routed to it;
- admin: everything.

Drafts are the unit's working copies: only the unit (and admin) see them. A grant limited to a
campaign limits the scope to that campaign. Lists and single reads use the same SQL filter
(``db/repositories/api_queries.py``), so they always agree; out of scope reads are 404.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from awardflow.db.models import Nomination
from awardflow.db.repositories import api_queries as q
from awardflow.db.repositories import nominations as noms_repo
from awardflow.errors import Forbidden, NotFound
from awardflow.states import Actor, Grant, Role

_KIND: dict[Role, tuple[str, bool]] = {
    Role.UNIT_CLERK: ("unit", False),
    Role.UNIT_HEAD: ("unit", False),
    Role.APPRAISER: ("office", True),
    Role.SUPERVISOR: ("organiser", True),
    Role.DIRECTOR: ("organiser", True),
    Role.COUNCIL_SECRETARY: ("organiser", True),
    Role.COUNCIL_MEMBER: ("organiser", True),
    Role.AUTHORITY: ("authority", False),
}


def is_admin(actor: Actor) -> bool:
    return actor.is_system or Role.ADMIN in actor.roles()


def grant_scope(grant: Grant) -> q.Scope | None:
    if grant.role not in _KIND:
        return None
    kind, hide = _KIND[grant.role]
    return q.Scope(kind, grant.unit_path, grant.campaign_id, hide_drafts=hide)


def scopes_for(actor: Actor) -> list[q.Scope]:
    if is_admin(actor):
        return [q.Scope("all")]
    return [s for g in actor.grants if (s := grant_scope(g)) is not None]


def nomination_filter(actor: Actor) -> ColumnElement[bool]:
    return _nomination_filter(actor.grants, is_admin(actor))


@lru_cache(maxsize=4096)
def _nomination_filter(grants: tuple[Grant, ...], admin: bool) -> ColumnElement[bool]:
    """Built once per distinct set of grants: SQL expressions are immutable and reusable, and
    building this one (subqueries per grant) cost ~17 % of an API request."""
    if admin:
        return q.nomination_filter([q.Scope("all")])
    return q.nomination_filter([s for g in grants if (s := grant_scope(g)) is not None])


def campaign_filter(actor: Actor, *, with_office: bool = False) -> ColumnElement[bool]:
    """Campaigns the actor watches from the department's side (organiser; office if asked)."""
    kinds = {"all", "organiser", "office"} if with_office else {"all", "organiser"}
    return q.campaign_filter([s for s in scopes_for(actor) if s.kind in kinds])


def authority_paths(actor: Actor) -> list[str]:
    return [s.path for s in scopes_for(actor) if s.kind == "authority"]


def not_found(nomination_id: int) -> NotFound:
    return NotFound(
        f"Không tìm thấy hồ sơ #{nomination_id}.",
        f"Nomination #{nomination_id} not found.",
        field="nomination_id",
    )


def require_nomination(session: Session, actor: Actor, nomination_id: int) -> Nomination:
    """The nomination if the actor may see it; 404 otherwise (no existence leak)."""
    if not q.visible_nomination(session, nomination_id, nomination_filter(actor)):
        raise not_found(nomination_id)
    nom = noms_repo.get(session, nomination_id)
    if nom is None:
        raise not_found(nomination_id)
    return nom


def require_council_session(session: Session, actor: Actor, session_id: int) -> None:
    if not q.council_session_visible(session, session_id, campaign_filter(actor)):
        raise NotFound("Không có phiên họp này.", "No such council session.", field="session_id")


def require_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise Forbidden(
            "Chỉ quản trị hệ thống mới làm được việc này.",
            "Only an administrator may do this.",
        )


def require_role(actor: Actor, *roles: Role) -> None:
    """A coarse check for endpoints that only some roles use (the service checks the unit)."""
    if is_admin(actor) or actor.roles() & set(roles):
        return
    raise Forbidden(
        "Bạn không có vai trò phù hợp để làm việc này.",
        "You do not hold a role that may do this.",
    )
