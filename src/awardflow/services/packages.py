"""The submission package (hồ sơ trình cấp trên) as one zip: cover letter (DOCX + PDF), the list
of nominees (XLSX + PDF), the council minutes with the ballot tallies (PDF + DOCX), each
nominee's achievement report (PDF), and ``manifest.json`` with every member's SHA-256.

``manifest.json`` is the submission's stored manifest (what the gateway sends) plus ``files``.
The achievement reports are laid out together and written one PDF each (``achievement_reports``);
the same data gives the same bytes (fixed zip times, DOCX/XLSX dates = the submission's).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from awardflow.campaigns.calendar import local_date
from awardflow.campaigns.catalogue import CATALOGUE, AwardCode
from awardflow.db.repositories import documents as repo
from awardflow.errors import NotFound
from awardflow.reports.docx import render_docx
from awardflow.reports.html import render
from awardflow.reports.official import Letterhead, head_title, slug
from awardflow.reports.pdf import html_to_pdf, html_to_pdfs
from awardflow.reports.xlsx import nominee_list_workbook
from awardflow.services.documents import docx_context, letterhead, minutes_document

Progress = Callable[[str], None]
_CODES = {c.value for c in AwardCode}
#: A fixed time for zip members, so the same package always has the same bytes.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
#: Achievement reports laid out per WeasyPrint document (see ``achievement_reports``). A laid-out
#: page holds about 1 MiB until its PDF is written; more reports per layout barely pay (the
#: per-document cost is a few ms).
REPORTS_PER_LAYOUT = 50
#: The creation and modification dates in a DOCX's or XLSX's ``docProps/core.xml``.
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def position_unit(row: dict[str, Any]) -> str:
    return ", ".join(p for p in (row.get("position") or "", row["unit"]) if p)


def package_context(session: Session, submission_id: int) -> dict[str, Any]:
    sub = repo.submission(session, submission_id)
    if sub is None:
        raise NotFound("Không có hồ sơ trình này.", "No such submission.", field="submission_id")
    rnd = repo.round_(session, sub.round_id)
    assert rnd is not None
    campaign = repo.campaign(session, rnd.campaign_id)
    authority = repo.unit(session, sub.authority_unit_id)
    assert campaign is not None and authority is not None
    items = sub.manifest.get("items", [])
    found = repo.nominees(session, [i["nomination_id"] for i in items])
    rows = [
        {**found[i["nomination_id"]], "order": i["order"]}
        for i in sorted(items, key=lambda i: int(i["order"]))
        if i["nomination_id"] in found
    ]
    for row in rows:
        row["position_unit"] = position_unit(row)
    lh = letterhead(
        session,
        campaign.organiser_unit_id,
        campaign_id=campaign.id,
        day=local_date(sub.created_at or datetime.now(UTC)),
        recipients=["Như trên", "Lưu: VT"],
    )
    return {
        "submission": sub,
        "round": rnd,
        "campaign": campaign,
        "authority": authority,
        "rows": rows,
        "lh": lh,
    }


def cover_letter(ctx: dict[str, Any]) -> dict[str, Any]:
    lh: Letterhead = ctx["lh"]
    rows: list[dict[str, Any]] = ctx["rows"]
    authority = ctx["authority"].name
    kinds = Counter(r["kind"] for r in rows)
    by_award: dict[str, Counter[str]] = {}
    for r in rows:
        by_award.setdefault(r["award"], Counter())[r["kind"]] += 1
    basis = [str(b).strip() for b in lh.extra["definition"].get("legal_basis", [])]
    return {
        "lh": lh,
        "subject": "Về việc đề nghị khen thưởng cho tập thể, cá nhân có thành tích trong "
        + ctx["round"].name,
        "recipient": authority,
        "paragraphs": [
            *(f"Căn cứ {b};" for b in basis or ["Luật Thi đua, khen thưởng số 06/2022/QH15"]),
            f"Căn cứ kết quả xét của Hội đồng Thi đua - Khen thưởng {lh.body} "
            f"trong {ctx['round'].name};",
            f"{lh.body} kính trình {authority} xem xét, đề nghị khen thưởng cho "
            f"{kinds.get('individual', 0)} cá nhân và {kinds.get('collective', 0)} tập thể "
            f"đã có thành tích trong {ctx['campaign'].title} "
            "(có danh sách và hồ sơ kèm theo), cụ thể:",
        ],
        "rows": [
            {
                "order": i,
                "award": award,
                "individual": c.get("individual", 0),
                "collective": c.get("collective", 0),
            }
            for i, (award, c) in enumerate(sorted(by_award.items()), start=1)
        ],
        "closing": [
            "Hồ sơ kèm theo gồm: danh sách đề nghị khen thưởng; biên bản họp Hội đồng "
            "Thi đua - Khen thưởng; báo cáo thành tích của từng tập thể, cá nhân.",
            f"Kính trình {authority} xem xét, quyết định./.",
        ],
    }


def achievement_context(session: Session, row: dict[str, Any], year: int | None) -> dict[str, Any]:
    """One nominee's part of ``achievement_report.html``: the row, earlier awards, other fields."""
    history = repo.past_awards(
        session, row["person_id"], row["nominee_unit_id"], year, row["nomination_id"]
    )
    for h in history:
        form = CATALOGUE.get(AwardCode(h["award_code"])) if h["award_code"] in _CODES else None
        h["award"] = form.name_vi if form else h["award_code"]
    extra = {
        k: v for k, v in row["fields"].items() if k not in {"position", "birth_year", "gender"}
    }
    return {"r": row, "history": history, "extra": extra, "unit_head": head_title(row["unit"])}


def achievement_reports(
    session: Session, rows: list[dict[str, Any]], lh: Letterhead, year: int | None
) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Each row with its achievement report as its own PDF, in the order of ``rows``.

    ``REPORTS_PER_LAYOUT`` reports at a time are laid out as one document and each report's
    pages written as its own PDF (``html_to_pdfs``): the text is the text of a report rendered
    alone (page numbers restart per report), without WeasyPrint's per-document work for each.
    """
    for start in range(0, len(rows), REPORTS_PER_LAYOUT):
        chunk = rows[start : start + REPORTS_PER_LAYOUT]
        part_ids = [f"report-{start + i}" for i in range(len(chunk))]
        html = render(
            "achievement_report.html",
            lh=lh,
            reports=[achievement_context(session, row, year) for row in chunk],
            part_ids=part_ids,
        )
        yield from zip(chunk, html_to_pdfs(html, part_ids), strict=True)


def build_package(session: Session, submission_id: int, progress: Progress | None = None) -> bytes:
    """The whole package of one submission as zip bytes (deterministic for the same data)."""
    step = progress or (lambda _name: None)
    ctx = package_context(session, submission_id)
    lh: Letterhead = ctx["lh"]
    sub = ctx["submission"]
    files: dict[str, bytes] = {}
    cover = cover_letter(ctx)
    files["01-to-trinh.docx"] = render_docx("cover_letter", docx_context("TTr", cover))
    files["01-to-trinh.pdf"] = html_to_pdf(render("cover_letter.html", **cover))
    step("tờ trình")
    title = "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"
    subtitle = f"(Kèm theo Tờ trình của {lh.body} - {ctx['round'].name})"
    files["02-danh-sach-de-nghi.xlsx"] = nominee_list_workbook(title, subtitle, ctx["rows"])
    files["02-danh-sach-de-nghi.pdf"] = html_to_pdf(
        render("nominee_list.html", lh=lh, title=title, subtitle=subtitle, rows=ctx["rows"])
    )
    step("danh sách")
    ids = [r["nomination_id"] for r in ctx["rows"]]
    for council in repo.closed_sessions_with(session, ids):
        base = f"03-bien-ban-hop-hoi-dong-{council.id}"
        files[f"{base}.pdf"] = minutes_document(session, council.id, "pdf")
        files[f"{base}.docx"] = minutes_document(session, council.id, "docx")
        step("biên bản")
    for row, pdf in achievement_reports(session, ctx["rows"], lh, ctx["round"].year):
        files[f"04-bao-cao-thanh-tich/{int(row['order']):03d}-{slug(row['nominee'])}.pdf"] = pdf
        step(row["nominee"])
    made = sub.created_at or datetime(*_ZIP_TIME)
    made = made.replace(tzinfo=UTC) if made.utcoffset() is None else made.astimezone(UTC)
    for name in [n for n in files if n.endswith((".docx", ".xlsx"))]:
        files[name] = _stable_office(files[name], made)
    manifest = {
        **sub.manifest,
        "submission_id": sub.id,
        "files": [
            {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "size": len(data),
                "media_type": MEDIA[name.rsplit(".", 1)[1]],
            }
            for name, data in files.items()
        ],
    }
    files["manifest.json"] = json.dumps(
        manifest, ensure_ascii=False, indent=2, default=str
    ).encode()
    return _zip(files)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


def _stable_office(data: bytes, made: datetime) -> bytes:
    """A DOCX or XLSX with fixed member times and ``made`` as its creation and modification
    dates: docxtpl stamps its zip members and openpyxl its properties with the time of writing,
    so without this the same package would differ from one second to the next."""
    stamp = made.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/core.xml":
                body = _CORE_DATES.sub(rb"\g<1>" + stamp + rb"\g<3>", body)
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            dst.writestr(member, body)
    return out.getvalue()
