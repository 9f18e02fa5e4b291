"""Loading a campaign definition into the database: its units, its rows and a new version.

The YAML file is the source; the rows are its queryable projection (``db/models/campaign``).
Loading is idempotent: a definition whose fingerprint equals the latest version's writes
nothing. A changed definition adds version n+1 and updates phases, rounds and awards in place,
matched by code. Rows whose code left the file stay as they are: nominations, votes and
decisions may reference them, and nominations keep the ``campaign_version`` they started on.

Units, decided once here:

- The organiser (``issuer``) is a root unit of kind ``department`` or ``province``.
- Its offices (appraising office, standing body, report collector, evidence reviewers) are
  its child units of kind ``office``. Office codes are local to a plan (three seeds call their
  office ``van-phong-so``), so the unit's code is ``<issuer code>/<office code>``; an office
  named twice in one plan is one unit.
- The receiving and the central authority are root units of kind ``authority`` under their own
  code, shared by every campaign that names them (``bo-noi-vu``).
- An existing unit is reused as it is: another campaign (or a person) may have named it
  differently, and a reload must not flip its name back and forth.

The caller owns the transaction; this module never commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from awardflow.campaigns.loader import definition_fingerprint
from awardflow.campaigns.schema import Award as AwardDef
from awardflow.campaigns.schema import Body, CampaignDefinition
from awardflow.campaigns.schema import Phase as PhaseDef
from awardflow.campaigns.schema import Round as RoundDef
from awardflow.db.models import Award, Campaign, CampaignPhase, CampaignVersion, Round, Unit
from awardflow.db.repositories import campaigns as repo
from awardflow.db.repositories import org as org_repo

__all__ = ["ACHIEVEMENT_REPORT", "LoadResult", "load_campaign", "office_code"]

#: The evidence every nomination for an award decided above the organiser must carry.
ACHIEVEMENT_REPORT = "achievement_report"

_AUTHORITY = "authority"
_OFFICE = "office"


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a load did: ``created`` for a new campaign, ``unchanged`` when nothing was written."""

    campaign_id: int
    version: int
    created: bool
    unchanged: bool


def office_code(issuer: Body, office: Body) -> str:
    """The unit code of one of the organiser's offices: office codes are local to a plan."""
    return f"{issuer.code}/{office.code}"


def load_campaign(session: Session, defn: CampaignDefinition, source_name: str) -> LoadResult:
    """Create or update the campaign ``defn`` describes; ``source_name`` (the file) is kept on
    the version. Writes nothing when the definition's fingerprint equals the latest version's."""
    fingerprint = definition_fingerprint(defn)
    campaign = repo.campaign_by_code(session, defn.code)
    if campaign is not None:
        latest = repo.latest_version(session, campaign.id)
        if latest is not None and latest.fingerprint == fingerprint:
            return LoadResult(campaign.id, latest.version, created=False, unchanged=True)

    # Units first: a pending campaign without them would be flushed by the unit look-ups.
    units = _Units(session, defn)
    organiser = units.organiser
    appraising = units.office(defn.offices.appraising_office)
    for body in (defn.offices.standing_body, defn.offices.report_collector):
        if body is not None:
            units.office(body)
    for body in defn.offices.evidence_reviewers:
        units.office(body)
    receiving = units.authority(defn.offices.receiving_authority)
    central = units.authority(defn.offices.central_authority)

    created = campaign is None
    if campaign is None:
        campaign = Campaign(code=defn.code)
    campaign.title = defn.title
    campaign.organiser_level = defn.organiser_level.value
    campaign.stuck_after_days = defn.escalation.stuck_after_days
    campaign.organiser_unit_id = organiser.id
    campaign.appraising_office_id = appraising.id
    campaign.authority_unit_id = receiving.id
    campaign.central_authority_unit_id = central.id
    if created:
        repo.add(session, campaign)
    session.flush()

    version = 1 if created else _next_version(session, campaign.id)
    campaign.current_version = version
    repo.add(
        session,
        CampaignVersion(
            campaign_id=campaign.id,
            version=version,
            fingerprint=fingerprint,
            source_name=source_name,
            definition=defn.model_dump(mode="json"),
        ),
    )
    phase_ids = _upsert_phases(session, campaign.id, defn.phases)
    _upsert_rounds(session, campaign.id, defn.rounds, phase_ids)
    _upsert_awards(session, campaign.id, defn)
    session.flush()
    return LoadResult(campaign.id, version, created=created, unchanged=False)


def _next_version(session: Session, campaign_id: int) -> int:
    latest = repo.latest_version(session, campaign_id)
    return (latest.version if latest is not None else 0) + 1


class _Units:
    """Finds or creates the units a definition names (see the module's docstring)."""

    def __init__(self, session: Session, defn: CampaignDefinition) -> None:
        self._session = session
        self._issuer = defn.issuer
        self.organiser = self._get_or_add(
            defn.issuer.code, defn.issuer.name, defn.organiser_level.value, None
        )

    def office(self, body: Body) -> Unit:
        return self._get_or_add(office_code(self._issuer, body), body.name, _OFFICE, self.organiser)

    def authority(self, body: Body) -> Unit:
        return self._get_or_add(body.code, body.name, _AUTHORITY, None)

    def _get_or_add(self, code: str, name: str, kind: str, parent: Unit | None) -> Unit:
        existing = org_repo.unit_by_code(self._session, code)
        if existing is not None:
            return existing
        return org_repo.add_unit(self._session, Unit(code=code, name=name, kind=kind), parent)


def _upsert_phases(
    session: Session, campaign_id: int, phases: tuple[PhaseDef, ...]
) -> dict[str, int]:
    """Phases by code, inserted or updated; returns every phase id by code."""
    rows = {p.code: p for p in repo.phases(session, campaign_id)}
    for phase in phases:
        row = rows.get(phase.code)
        if row is None:
            row = CampaignPhase(campaign_id=campaign_id, code=phase.code)
            repo.add(session, row)
            rows[phase.code] = row
        row.name = phase.name
        row.start = phase.start
        row.end = phase.end
        row.review_kind = phase.review.kind.value
        row.review_date = phase.review.date
    session.flush()
    return {code: row.id for code, row in rows.items()}


def _upsert_rounds(
    session: Session, campaign_id: int, rounds: tuple[RoundDef, ...], phase_ids: dict[str, int]
) -> None:
    """Rounds by code; ``year`` is the year proposals close (the year the round reviews)."""
    rows = {r.code: r for r in repo.rounds(session, campaign_id)}
    for round_ in rounds:
        row = rows.get(round_.code)
        if row is None:
            row = Round(campaign_id=campaign_id, code=round_.code)
            repo.add(session, row)
            rows[round_.code] = row
        dates, limits = round_.dates, round_.limits
        row.phase_id = phase_ids[round_.phase]
        row.name = round_.name
        row.kind = round_.kind.value
        row.year = (dates.proposals_close or round_.opens).year
        row.opens = round_.opens
        row.proposals_close = dates.proposals_close
        row.appraisal_due = dates.appraisal_due
        row.council_by = dates.council_by
        row.submission_by = dates.submission_by
        row.limit_appraise = limits.appraise
        row.limit_return_answer = limits.return_answer
        row.limit_authority_answer = limits.authority_answer
        row.limit_decide = limits.decide


def _upsert_awards(session: Session, campaign_id: int, defn: CampaignDefinition) -> None:
    """Awards by catalogue code, with their level from the catalogue.

    ``required_evidence`` is ``["achievement_report"]`` for an award decided above the
    organiser (province or centre: the submission upward carries the nominee's report on the
    official template) and empty for one the organiser or the unit decides itself.
    """
    rows = {a.code: a for a in repo.awards(session, campaign_id)}
    for award in defn.awards:
        row = rows.get(award.code.value)
        if row is None:
            row = Award(campaign_id=campaign_id, code=award.code.value)
            repo.add(session, row)
            rows[award.code.value] = row
        _fill_award(row, award, decided_above=not defn.decided_by_organiser(award))


def _fill_award(row: Award, award: AwardDef, *, decided_above: bool) -> None:
    row.name = award.name
    row.level = award.form.level
    row.deciding_authority = award.deciding_authority.value
    row.nominee_kinds = [k.value for k in award.nominee_kinds]
    row.round_kinds = [k.value for k in award.rounds]
    row.threshold = award.threshold
    row.quota_per_unit = award.quota.per_unit if award.quota else None
    row.quota_percent = award.quota.percent_of_participants if award.quota else None
    row.required_evidence = [ACHIEVEMENT_REPORT] if decided_above else []
