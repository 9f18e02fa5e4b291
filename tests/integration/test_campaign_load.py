"""Loading the seed campaigns into the database, reloading them, and the ``campaign`` CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.support.cli import invoke

from awardflow.campaigns.loader import load_definition
from awardflow.db.models import Campaign, Unit
from awardflow.db.repositories import campaigns as repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.session import Database
from awardflow.services.campaigns import LoadResult, load_campaign

SEEDS = Path(__file__).resolve().parents[2] / "campaigns"
DIEN_BIEN = SEEDS / "dien-bien-gddt-dmst-2026.yaml"
HA_NOI = SEEDS / "ha-noi-gddt-dmst-cds-2025.yaml"
LAO_CAI = SEEDS / "lao-cai-ubnd-dmst-2026.yaml"


def _load(db: Database, path: Path) -> LoadResult:
    with db.write() as s:
        return load_campaign(s, load_definition(path), str(path))


def _campaign(s: Session, code: str) -> Campaign:
    campaign = repo.campaign_by_code(s, code)
    assert campaign is not None, code
    return campaign


def _unit(s: Session, unit_id: int | None) -> Unit:
    assert unit_id is not None
    unit = org_repo.unit(s, unit_id)
    assert unit is not None
    return unit


@pytest.fixture
def seeded(database: Database) -> Database:
    for path in sorted(SEEDS.glob("*.yaml")):
        result = _load(database, path)
        assert result.created and not result.unchanged and result.version == 1, path
    return database


def test_all_five_seeds_load(seeded: Database) -> None:
    with seeded.read() as s:
        codes = [c.code for c in repo.campaigns(s)]
        assert len(codes) == 5
        for campaign in repo.campaigns(s):
            assert campaign.current_version == 1
            assert repo.version_count(s, campaign.id) == 1
            assert repo.phases(s, campaign.id) and repo.rounds(s, campaign.id)
            assert repo.awards(s, campaign.id)
            version = repo.latest_version(s, campaign.id)
            assert version is not None and version.definition["code"] == campaign.code


def test_lao_cai_is_a_province_campaign(seeded: Database) -> None:
    with seeded.read() as s:
        campaign = _campaign(s, "lao-cai-ubnd-dmst-2026")
        assert campaign.organiser_level == "province"
        organiser = _unit(s, campaign.organiser_unit_id)
        assert (organiser.code, organiser.kind, organiser.parent_id) == (
            "ubnd-tinh-lao-cai",
            "province",
            None,
        )
        phases = [(p.code, p.start, p.end, p.review_kind) for p in repo.phases(s, campaign.id)]
        assert phases == [
            ("gd1", date(2026, 5, 1), date(2027, 12, 31), "midterm"),
            ("gd2", date(2028, 1, 1), date(2030, 12, 31), "final"),
        ]
        annual = {r.code: r for r in repo.rounds(s, campaign.id)}["annual-2026"]
        assert (annual.year, annual.opens, annual.proposals_close) == (
            2026,
            date(2026, 10, 1),
            date(2026, 12, 9),
        )
        assert (annual.appraisal_due, annual.council_by) == (date(2026, 12, 20), date(2026, 12, 28))
        assert (annual.limit_appraise, annual.limit_authority_answer) == (10, 20)
        deciders = {a.code: a.deciding_authority for a in repo.awards(s, campaign.id)}
        assert deciders["giay_khen"] == "unit"
        assert deciders["bang_khen_ttg"] == "centre"
        # The province's own Sở Nội vụ appraises; the centre receives.
        office = _unit(s, campaign.appraising_office_id)
        assert (office.name, office.parent_id) == ("Sở Nội vụ tỉnh Lào Cai", organiser.id)
        assert _unit(s, campaign.authority_unit_id).code == "bo-noi-vu"


def test_ha_noi_awards(seeded: Database) -> None:
    with seeded.read() as s:
        campaign = _campaign(s, "ha-noi-gddt-dmst-cds-2025")
        awards = {a.code: a for a in repo.awards(s, campaign.id)}
        assert {code: a.deciding_authority for code, a in awards.items()} == {
            "huan_chuong_ld3": "centre",
            "co_thi_dua_cp": "centre",
            "bang_khen_ttg": "centre",
            "bang_khen_tinh": "province",
            "co_thi_dua_tinh": "province",
            "giay_khen": "organiser",
        }
        assert awards["giay_khen"].level == "grassroots"
        assert awards["huan_chuong_ld3"].level == "state"
        assert awards["giay_khen"].required_evidence == []
        assert awards["bang_khen_tinh"].required_evidence == ["achievement_report"]
        assert awards["giay_khen"].quota_per_unit is None
        assert set(awards["giay_khen"].nominee_kinds) <= {"individual", "collective"}
        assert "annual" in awards["giay_khen"].round_kinds


def test_dien_bien_offices_are_units(seeded: Database) -> None:
    with seeded.read() as s:
        campaign = _campaign(s, "dien-bien-gddt-dmst-2026")
        assert campaign.organiser_level == "department"
        assert campaign.stuck_after_days == 10
        organiser = _unit(s, campaign.organiser_unit_id)
        assert (organiser.name, organiser.kind) == (
            "Sở Giáo dục và Đào tạo tỉnh Điện Biên",
            "department",
        )
        office = _unit(s, campaign.appraising_office_id)
        assert office.name == "Phòng Tổ chức cán bộ"
        assert office.kind == "office"
        assert office.parent_id == organiser.id
        assert office.path == f"{organiser.path}{office.id}/"
        # Evidence reviewers are offices of the Sở too.
        reviewer = org_repo.unit_by_code(s, "so-gddt-dien-bien/phong-qlcl")
        assert reviewer is not None and reviewer.parent_id == organiser.id
        receiving = _unit(s, campaign.authority_unit_id)
        assert (receiving.code, receiving.kind, receiving.parent_id) == (
            "so-noi-vu-dien-bien",
            "authority",
            None,
        )
        # Every seed names Bộ Nội vụ as the central authority: one unit for all.
        central_ids = {c.central_authority_unit_id for c in repo.campaigns(s)}
        assert len(central_ids) == 1
        # Three seeds call their office "van-phong-so": three different units.
        offices = {c.appraising_office_id for c in repo.campaigns(s)}
        assert len(offices) == 5


def test_loading_twice_writes_nothing(seeded: Database) -> None:
    result = _load(seeded, DIEN_BIEN)
    assert (result.created, result.unchanged, result.version) == (False, True, 1)
    with seeded.read() as s:
        campaign = _campaign(s, "dien-bien-gddt-dmst-2026")
        assert campaign.current_version == 1
        assert repo.version_count(s, campaign.id) == 1


def test_changed_file_adds_a_version_and_updates_in_place(seeded: Database, tmp_path: Path) -> None:
    with seeded.read() as s:
        campaign = _campaign(s, "dien-bien-gddt-dmst-2026")
        before = {r.code: r.id for r in repo.rounds(s, campaign.id)}
        phases_before = {p.code: p.id for p in repo.phases(s, campaign.id)}
    text = DIEN_BIEN.read_text(encoding="utf-8")
    changed = text.replace(
        "dates: {proposals_close: 2026-11-10, appraisal_due: 2026-11-25,",
        "dates: {proposals_close: 2026-11-10, appraisal_due: 2026-11-24,",
    ).replace("  stuck_after_days: 10", "  stuck_after_days: 7")
    assert changed != text
    copy = tmp_path / DIEN_BIEN.name
    copy.write_text(changed, encoding="utf-8")

    result = _load(seeded, copy)
    assert (result.created, result.unchanged, result.version) == (False, False, 2)
    assert _load(seeded, copy).unchanged
    with seeded.read() as s:
        campaign = _campaign(s, "dien-bien-gddt-dmst-2026")
        assert campaign.current_version == 2
        assert campaign.stuck_after_days == 7
        assert repo.version_count(s, campaign.id) == 2
        latest = repo.latest_version(s, campaign.id)
        assert latest is not None and latest.source_name == str(copy)
        rounds = {r.code: r for r in repo.rounds(s, campaign.id)}
        assert {code: r.id for code, r in rounds.items()} == before
        assert {p.code: p.id for p in repo.phases(s, campaign.id)} == phases_before
        assert rounds["annual-2026"].appraisal_due == date(2026, 11, 24)


def _invoke(*args: str) -> tuple[int, str]:
    return invoke("campaign", *args)


def test_cli_refuses_an_invalid_file(cli_db: Database, tmp_path: Path) -> None:
    lines = DIEN_BIEN.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("organiser_level:"))
    lines[line - 1] = "organiser_level: county\n"
    broken = tmp_path / "broken.yaml"
    broken.write_text("".join(lines), encoding="utf-8")

    code, output = _invoke("validate", str(broken))
    assert code == 1
    assert f"{broken}:{line}:" in output and "organiser_level" in output

    code, output = _invoke("load", str(broken))
    assert code == 1
    assert f"{broken}:{line}:" in output
    with cli_db.read() as s:
        assert list(repo.campaigns(s)) == []


def test_cli_validates_loads_and_lists(cli_db: Database) -> None:
    code, output = _invoke("validate", str(DIEN_BIEN), str(HA_NOI))
    assert code == 0, output
    assert output.count("OK ") == 2

    code, output = _invoke("load", str(DIEN_BIEN), str(LAO_CAI))
    assert code == 0, output
    assert "loaded dien-bien-gddt-dmst-2026 version 1" in output
    assert "loaded lao-cai-ubnd-dmst-2026 version 1" in output

    code, output = _invoke("load", str(DIEN_BIEN))
    assert (code, output.strip()) == (0, "unchanged dien-bien-gddt-dmst-2026 version 1")

    code, output = _invoke("list")
    assert code == 0
    assert "dien-bien-gddt-dmst-2026\tv1\tdepartment" in output
    assert "lao-cai-ubnd-dmst-2026\tv1\tprovince" in output
