"""View models of the unit pages (issue 7, W2): the unit's nominations by round and state, the
draft form (what the user typed, kept on errors), the choices it offers, and the live preview
of the campaign's criteria and the eligibility rules for what is typed so far."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import WorkingCalendar, local_date
from awardflow.campaigns.catalogue import NomineeKind
from awardflow.db.models import Award, Campaign, Nomination, Person, Round, Unit
from awardflow.db.repositories import campaigns as campaigns_repo
from awardflow.db.repositories import nominations as noms_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import web_unit as wq
from awardflow.services.eligibility import explain
from awardflow.services.visibility import nomination_filter
from awardflow.states import Actor, NominationState, Role
from awardflow.web.nomination_views import (
    NominationRow,
    Pair,
    criteria_of,
    evidence_kind_label,
    rows_for,
)

UNIT_ROLES = (Role.UNIT_CLERK, Role.UNIT_HEAD)
#: Longest texts the forms accept (the API's limits).
MAX_NAME, MAX_ACHIEVEMENT, MAX_KEY = 300, 20000, 200


def unit_paths(actor: Actor) -> list[str]:
    """The unit subtrees the actor works for as clerk or head."""
    return sorted({g.unit_path for g in actor.grants if g.role in UNIT_ROLES})


def is_unit_user(actor: Actor) -> bool:
    return bool(unit_paths(actor))


def is_head(actor: Actor) -> bool:
    return any(g.role is Role.UNIT_HEAD for g in actor.grants)


# --- the draft form ----------------------------------------------------------------------------


@dataclass
class DraftForm:
    """What the user typed, as text: re-rendered unchanged when the service refuses it."""

    round_id: str = ""
    award_id: str = ""
    unit_id: str = ""
    nominee_kind: str = "individual"
    person_id: str = ""
    nominee_unit_id: str = ""
    nominee_name: str = ""
    achievement: str = ""
    achievement_key: str = ""
    initiative_ids: str = ""
    version: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> DraftForm:
        names = {f.name for f in fields(cls)}
        values = {k: str(form.get(k) or "") for k in names}
        return cls(**values)

    @classmethod
    def of(cls, nom: Nomination) -> DraftForm:
        extra = nom.fields or {}
        ids = extra.get("initiative_ids") or []
        return cls(
            round_id=str(nom.round_id),
            award_id=str(nom.award_id),
            unit_id=str(nom.unit_id),
            nominee_kind=nom.nominee_kind.value,
            person_id=str(nom.person_id or ""),
            nominee_unit_id=str(nom.nominee_unit_id or ""),
            nominee_name=nom.nominee_name,
            achievement=nom.achievement or "",
            achievement_key=str(extra.get("achievement_key") or ""),
            initiative_ids=", ".join(str(i) for i in ids) if isinstance(ids, list) else str(ids),
            version=str(nom.version),
        )

    def int_of(self, name: str) -> int | None:
        raw = str(getattr(self, name)).strip()
        return int(raw) if raw.isdigit() and len(raw) <= 9 else None

    def kind(self) -> NomineeKind:
        return (
            NomineeKind.COLLECTIVE if self.nominee_kind == "collective" else NomineeKind.INDIVIDUAL
        )

    def extra_fields(self, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``fields`` with the two keys this form edits set (or removed when left empty)."""
        out = dict(base or {})
        key = self.achievement_key.strip()
        ids = [i.strip() for i in self.initiative_ids.replace(";", ",").split(",") if i.strip()]
        for name, value in (("achievement_key", key), ("initiative_ids", ids)):
            if value:
                out[name] = value
            else:
                out.pop(name, None)
        return out

    def too_long(self) -> tuple[str, Pair] | None:
        """The first field over its limit, with the message (the browser checks too)."""
        for name, limit in (
            ("nominee_name", MAX_NAME),
            ("achievement", MAX_ACHIEVEMENT),
            ("achievement_key", MAX_KEY),
            ("initiative_ids", MAX_KEY),
        ):
            if len(getattr(self, name)) > limit:
                return name, (
                    f"Nội dung quá dài (tối đa {limit} ký tự).",
                    f"Too long (at most {limit} characters).",
                )
        return None


# --- choices the form offers -------------------------------------------------------------------


@dataclass
class DraftChoices:
    rounds: list[tuple[Round, Campaign]] = field(default_factory=list)
    awards: list[tuple[Award, Campaign]] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    persons: list[tuple[Person, str]] = field(default_factory=list)
    collectives: list[Unit] = field(default_factory=list)


def draft_choices(session: Session, actor: Actor, now: datetime) -> DraftChoices:
    """Open rounds of the campaigns the actor's units take part in, their awards, the units
    the actor proposes for, and the people and collectives within them."""
    paths = unit_paths(actor)
    campaigns = {c.id: c for c in wq.campaigns_over(session, paths)}
    limited = {g.campaign_id for g in actor.grants if g.role in UNIT_ROLES}
    if None not in limited:  # every unit grant is limited to campaigns
        campaigns = {k: v for k, v in campaigns.items() if k in limited}
    rounds = wq.rounds_open_on(session, sorted(campaigns), local_date(now))
    open_campaigns = sorted({r.campaign_id for r in rounds})
    units = wq.units_under(session, paths)
    unit_name = {u.id: u.name for u in units}
    own = [u for u in units if u.path in paths]
    kinds = {(r.campaign_id, r.kind) for r in rounds}
    awards = [
        (a, campaigns[a.campaign_id])
        for a in wq.awards_of(session, open_campaigns)
        if any((a.campaign_id, k) in kinds for k in a.round_kinds)
    ]
    return DraftChoices(
        rounds=[(r, campaigns[r.campaign_id]) for r in rounds],
        awards=awards,
        units=own,
        persons=[(p, unit_name.get(p.unit_id, "")) for p in wq.persons_under(session, paths)],
        collectives=list(units),
    )


# --- the live preview ----------------------------------------------------------------------------


@dataclass
class Preview:
    """The campaign's criteria checklist for the chosen nominee kind and the rules' verdicts."""

    campaign_title: str = ""
    award_name: str = ""
    criteria: list[dict[str, Any]] = field(default_factory=list)
    notes: list[Pair] = field(default_factory=list)
    ruleset: str = ""
    rules: list[Any] = field(default_factory=list)
    passed: bool | None = None


def preview(session: Session, actor: Actor, form: DraftForm, now: datetime) -> Preview:
    """What the form would give: criteria of the round's campaign, the award's offer and
    required evidence, and every eligibility rule's verdict for the chosen nominee."""
    out = Preview()
    rnd = _round(session, form.int_of("round_id"))
    award = _award(session, form.int_of("award_id"))
    if rnd is None:
        out.notes.append(("Chọn đợt xét để xem tiêu chí.", "Choose a round to see the criteria."))
        return out
    campaign = campaigns_repo.campaign(session, rnd.campaign_id)
    if campaign is None:
        return out
    out.campaign_title = campaign.title
    definition = wq.campaign_definition(session, campaign.id, campaign.current_version)
    out.criteria = criteria_of(definition, form.kind().value)
    if award is None or award.campaign_id != rnd.campaign_id:
        out.notes.append(
            (
                "Chọn hình thức khen thưởng của phong trào này để xem điều kiện.",
                "Choose an award of this campaign to see the eligibility rules.",
            )
        )
        return out
    out.award_name = award.name
    if form.kind().value not in award.nominee_kinds or rnd.kind not in award.round_kinds:
        out.notes.append(
            (
                "Hình thức khen thưởng này không được xét trong đợt này cho đối tượng này.",
                "This award is not offered in this round for this kind of nominee.",
            )
        )
    if award.required_evidence:
        labels = [evidence_kind_label(str(k)) for k in award.required_evidence]
        out.notes.append(
            (
                "Minh chứng bắt buộc: " + ", ".join(v for v, _ in labels) + ".",
                "Required evidence: " + ", ".join(e for _, e in labels) + ".",
            )
        )
    nom = _transient(session, actor, form, rnd, award)
    if nom is None:
        out.notes.append(
            (
                "Chọn đối tượng được đề nghị để xem kết quả kiểm tra điều kiện.",
                "Choose the nominee to see the eligibility check.",
            )
        )
        return out
    limit = award.quota_per_unit
    used = (
        noms_repo.count_proposed_for_quota(session, rnd.id, award.id, nom.unit_id, -1)
        if limit is not None
        else 0
    )
    explanation = explain(session, nom, rnd, award, local_date(now), (limit, used))
    out.ruleset = explanation.ruleset
    out.rules = list(explanation.results)
    out.passed = explanation.passed
    return out


def _round(session: Session, round_id: int | None) -> Round | None:
    return campaigns_repo.round_(session, round_id) if round_id else None


def _award(session: Session, award_id: int | None) -> Award | None:
    return campaigns_repo.award(session, award_id) if award_id else None


def _transient(
    session: Session, actor: Actor, form: DraftForm, rnd: Round, award: Award
) -> Nomination | None:
    """An unsaved nomination carrying what the form says, for the rules to look at."""
    kind = form.kind()
    person_id = form.int_of("person_id") if kind is NomineeKind.INDIVIDUAL else None
    unit_id = form.int_of("nominee_unit_id") if kind is NomineeKind.COLLECTIVE else None
    paths = unit_paths(actor)
    if person_id is not None:
        person = org_repo.person(session, person_id)
        if person is None or not any(
            org_repo.unit_path(session, person.unit_id).startswith(p) for p in paths
        ):
            return None
        name, home = person.full_name, person.unit_id
    elif unit_id is not None:
        target = org_repo.unit(session, unit_id)
        if target is None or not any(target.path.startswith(p) for p in paths):
            return None
        name, home = target.name, target.id
    else:
        return None
    proposing = form.int_of("unit_id") or home
    return Nomination(
        campaign_id=rnd.campaign_id,
        round_id=rnd.id,
        award_id=award.id,
        unit_id=proposing,
        nominee_kind=kind,
        person_id=person_id,
        nominee_unit_id=unit_id,
        nominee_name=form.nominee_name.strip() or name,
        achievement=form.achievement,
        fields=form.extra_fields(),
    )


def proposing_unit(session: Session, actor: Actor, form: DraftForm) -> int | None:
    """The unit the draft belongs to: the one chosen, else the actor's only unit."""
    chosen = form.int_of("unit_id")
    if chosen is not None:
        return chosen
    units = [u for u in wq.units_under(session, unit_paths(actor)) if u.path in unit_paths(actor)]
    return units[0].id if len(units) == 1 else None


def group_counts(counts: Mapping[Any, int], order: Sequence[Any]) -> list[tuple[Any, int]]:
    return [(s, counts.get(s, 0)) for s in order if counts.get(s, 0)]


# --- the unit's list ------------------------------------------------------------------------------

LIST_SIZE = 50


@dataclass
class UnitList:
    round_id: int | None
    state: str | None
    page: int
    total: int
    rows: list[NominationRow]
    rounds: list[tuple[Round, int]]
    counts: list[tuple[NominationState, int]]
    all_count: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // LIST_SIZE))


def unit_list(
    session: Session,
    actor: Actor,
    calendar: WorkingCalendar,
    params: Mapping[str, Any],
    now: datetime,
) -> UnitList:
    """The unit subtree's nominations (what the API lists for the same user), filtered by
    round and state from the query string, with counts per round and per state."""
    where = nomination_filter(actor)
    round_id = _int(params.get("round"))
    raw_state = str(params.get("state") or "")
    state = NominationState(raw_state) if raw_state in _STATE_VALUES else None
    page = max(1, _int(params.get("page")) or 1)
    counts = wq.state_counts(session, where, round_id)
    per_round = wq.round_counts(session, where)
    rows, total = wq.unit_nominations(
        session,
        where,
        round_id=round_id,
        states=[state] if state else [],
        limit=LIST_SIZE,
        offset=(page - 1) * LIST_SIZE,
    )
    rounds = wq.rounds_by_id(session, per_round)
    return UnitList(
        round_id=round_id,
        state=state.value if state else None,
        page=page,
        total=total,
        rows=rows_for(session, rows, now, calendar),
        rounds=sorted(
            ((rounds[i], n) for i, n in per_round.items() if i in rounds),
            key=lambda p: (p[0].opens, p[0].id),
            reverse=True,
        ),
        counts=[(s, counts[s]) for s in NominationState if counts.get(s)],
        all_count=sum(counts.values()),
    )


_STATE_VALUES = frozenset(s.value for s in NominationState)


def _int(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and 0 < len(text) <= 9 else None
