"""Importing nominees' history from a spreadsheet: good rows land in their tables, bad rows are
reported per row (vi + en), a second import of the same file adds nothing; and the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.support.cli import invoke

from awardflow.campaigns.history_import import parse_history
from awardflow.db.models import (
    AwardHistory,
    ExclusionRecord,
    InitiativeRecord,
    Person,
    Unit,
    YearlyRating,
)
from awardflow.db.repositories import org as org_repo
from awardflow.db.session import Database
from awardflow.services.history import ImportReport, import_history

HEADER = (
    "nominee_code,record_type,year,value,award_type,decision_number,decision_date,"
    "scope,start,end,level,note"
)
CSV = f"""{HEADER}
gv-lan,rating,2024,htxs,,,,,,,,
gv-lan,xếp loại,2025,hoàn thành tốt nhiệm vụ,,,,,,,,
gv-lan,award,2025,cstd_co_so,merit,125/QĐ-SGDĐT,15/12/2025,,,,,Sở GDĐT Điện Biên
gv-lan,initiative,2025,SK-2025-017,,,,cơ sở,,,,Số hoá học bạ điện tử
gv-minh,exclusion,,discipline,,,,,2026-03-01,2026-09-30,khiển trách,Chậm báo cáo
thpt-a,rating,2025,htt,,,,,,,,
thpt-a,award,2025,giay_khen,đột xuất,88/QĐ-SGDĐT,2025-06-01,,,,,
gv-khong-co,rating,2025,htt,,,,,,,,
gv-lan,rating,20x5,htt,,,,,,,,
gv-minh,award,2025,bang_khen_tinh,merit,,31/02/2025,,,,,
"""


def _setup(db: Database) -> None:
    with db.write() as s:
        school = org_repo.add_unit(
            s, Unit(code="thpt-a", name="Trường THPT Chuyên Lê Quý Đôn", kind="school"), None
        )
        s.add(Person(code="gv-lan", full_name="Nguyễn Thị Lan", unit_id=school.id))
        s.add(Person(code="gv-minh", full_name="Trần Văn Minh", unit_id=school.id))


def _counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {
            model.__tablename__: int(
                s.execute(select(func.count()).select_from(model)).scalar_one()
            )
            for model in (YearlyRating, AwardHistory, InitiativeRecord, ExclusionRecord)
        }


def _import(db: Database, path: Path) -> ImportReport:
    parsed = parse_history(path)
    with db.write() as s:
        return import_history(s, parsed.rows, parsed.errors)


@pytest.fixture
def history_file(tmp_path: Path) -> Path:
    path = tmp_path / "lich-su.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_good_rows_import_and_bad_rows_are_reported(database: Database, history_file: Path) -> None:
    _setup(database)
    report = _import(database, history_file)

    assert (report.added, report.updated, report.skipped) == (7, 0, 0)
    assert [(e.row, e.field) for e in report.errors] == [
        (9, "nominee_code"),
        (10, "year"),
        (11, "decision_date"),
    ]
    unknown = report.errors[0]
    assert "gv-khong-co" in unknown.message_vi and "gv-khong-co" in unknown.message_en
    assert _counts(database) == {
        "yearly_ratings": 3,
        "award_history": 2,
        "initiatives": 1,
        "exclusions": 1,
    }
    with database.read() as s:
        lan = s.execute(select(Person).where(Person.code == "gv-lan")).scalar_one()
        ratings = s.execute(select(YearlyRating).where(YearlyRating.person_id == lan.id))
        assert sorted((r.year, r.rating) for r in ratings.scalars()) == [
            (2024, "htxs"),
            (2025, "htt"),
        ]
        award = s.execute(select(AwardHistory).where(AwardHistory.person_id == lan.id)).scalar_one()
        assert (award.award_code, award.decision_number, award.decision_date, award.issuer) == (
            "cstd_co_so",
            "125/QĐ-SGDĐT",
            date(2025, 12, 15),
            "Sở GDĐT Điện Biên",
        )
        collective = s.execute(
            select(AwardHistory).where(AwardHistory.unit_id.is_not(None))
        ).scalar_one()
        assert (collective.award_code, collective.award_type) == ("giay_khen", "adhoc")
        initiative = s.execute(select(InitiativeRecord)).scalar_one()
        assert (initiative.code, initiative.title, initiative.scope, initiative.person_id) == (
            "SK-2025-017",
            "Số hoá học bạ điện tử",
            "grassroots",
            lan.id,
        )
        exclusion = s.execute(select(ExclusionRecord)).scalar_one()
        assert (exclusion.kind, exclusion.start, exclusion.end, exclusion.level) == (
            "discipline",
            date(2026, 3, 1),
            date(2026, 9, 30),
            "khiển trách",
        )


def test_reimport_adds_nothing_and_updates_changed_facts(
    database: Database, history_file: Path, tmp_path: Path
) -> None:
    _setup(database)
    _import(database, history_file)
    before = _counts(database)

    again = _import(database, history_file)
    assert (again.added, again.updated, again.skipped) == (0, 0, 7)
    assert _counts(database) == before

    changed = tmp_path / "sua.csv"
    changed.write_text(
        CSV.replace("gv-lan,rating,2024,htxs", "gv-lan,rating,2024,htt").replace(
            "2026-09-30,khiển trách", "2026-10-31,khiển trách"
        ),
        encoding="utf-8",
    )
    third = _import(database, changed)
    assert (third.added, third.updated, third.skipped) == (0, 2, 5)
    assert _counts(database) == before
    with database.read() as s:
        stmt = select(YearlyRating.rating).where(YearlyRating.year == 2024)
        assert s.execute(stmt).scalar_one() == "htt"
        assert s.execute(select(ExclusionRecord.end)).scalar_one() == date(2026, 10, 31)


def test_an_initiative_stays_with_its_nominee(database: Database, tmp_path: Path) -> None:
    _setup(database)
    path = tmp_path / "sk.csv"
    path.write_text(
        f"{HEADER}\ngv-lan,initiative,2025,SK-1,,,,cơ sở,,,,A\n"
        "gv-minh,initiative,2025,SK-1,,,,cơ sở,,,,B\n",
        encoding="utf-8",
    )
    report = _import(database, path)
    assert report.added == 1
    assert [(e.row, e.field) for e in report.errors] == [(3, "value")]


def _invoke(*args: str) -> tuple[int, str]:
    return invoke("history", *args)


def test_cli_prints_row_errors_and_exits_1(cli_db: Database, history_file: Path) -> None:
    _setup(cli_db)
    code, output = _invoke("import", str(history_file))
    assert code == 1
    assert (
        "row 9: nominee_code: Không có cá nhân hay đơn vị nào mang mã «gv-khong-co». / " in output
    )
    assert "No person or unit has the code 'gv-khong-co'." in output
    assert "row 10: year:" in output
    assert "7 added, 0 updated, 0 unchanged, 3 error(s)" in output
    assert _counts(cli_db)["yearly_ratings"] == 3


def test_cli_clean_file_exits_0(cli_db: Database, tmp_path: Path) -> None:
    _setup(cli_db)
    path = tmp_path / "ok.csv"
    path.write_text("nominee_code,record_type,year,value\ngv-lan,rating,2025,htt\n", "utf-8")
    assert _invoke("import", str(path)) == (
        0,
        "history import ok.csv: 1 added, 0 updated, 0 unchanged, 0 error(s)\n",
    )
    code, output = _invoke("import", str(tmp_path / "missing.txt"))
    assert code == 1
    assert "chỉ nhận .csv hoặc .xlsx" in output
