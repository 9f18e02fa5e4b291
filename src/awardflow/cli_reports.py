"""``awardflow report``: summaries (HTML, PDF, XLSX), submission packages, council minutes,
decisions and certificates, written to a file (``--out``) with a progress display."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from awardflow.cli_common import database

if TYPE_CHECKING:
    pass

report_app = typer.Typer(help="Reports and official documents.", no_args_is_help=True)
OutOpt = Annotated[Path | None, typer.Option("--out", help="File to write (default: a name here).")]


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=True,
    )


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    typer.echo(f"{out} ({len(data):,} bytes)")


def _fail(exc: Exception) -> None:
    from awardflow.errors import AwardflowError

    if isinstance(exc, AwardflowError):
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    raise exc


@report_app.command("summary")
def report_summary(
    summary_id: int,
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or xlsx.")] = "pdf",
    out: OutOpt = None,
) -> None:
    """Render the stored summary SUMMARY_ID (round or sơ kết / tổng kết report)."""
    from awardflow.services.documents import summary_document

    if fmt not in ("html", "pdf", "xlsx"):
        raise typer.BadParameter("use html, pdf or xlsx", param_hint="--format")
    kind: Literal["html", "pdf", "xlsx"] = fmt  # type: ignore[assignment]
    try:
        with database() as db, db.read() as s, _progress() as bar:
            bar.add_task("Đang lập báo cáo…", total=None)
            data = summary_document(s, summary_id, kind)
    except Exception as exc:
        _fail(exc)
        return
    _write(out or Path(f"summary-{summary_id}.{fmt}"), data)


@report_app.command("package")
def report_package(submission_id: int, out: OutOpt = None) -> None:
    """Build the zip package of SUBMISSION_ID (tờ trình, danh sách, biên bản, báo cáo)."""
    from awardflow.services.packages import build_package, package_context

    try:
        with database() as db, db.read() as s, _progress() as bar:
            total = len(package_context(s, submission_id)["rows"]) + 3
            task = bar.add_task("Đang lập hồ sơ trình…", total=total)

            def step(name: str) -> None:
                bar.update(task, advance=1, description=name[:40])

            data = build_package(s, submission_id, progress=step)
    except Exception as exc:
        _fail(exc)
        return
    _write(out or Path(f"submission-{submission_id}.zip"), data)


@report_app.command("minutes")
def report_minutes(
    session_id: int,
    fmt: Annotated[str, typer.Option("--format", help="pdf or docx.")] = "pdf",
    out: OutOpt = None,
) -> None:
    """Biên bản họp Hội đồng of council session SESSION_ID."""
    from awardflow.services.documents import minutes_document

    if fmt not in ("pdf", "docx"):
        raise typer.BadParameter("use pdf or docx", param_hint="--format")
    kind: Literal["pdf", "docx"] = fmt  # type: ignore[assignment]
    try:
        with database() as db, db.read() as s:
            data = minutes_document(s, session_id, kind)
    except Exception as exc:
        _fail(exc)
        return
    _write(out or Path(f"minutes-{session_id}.{fmt}"), data)


@report_app.command("decision")
def report_decision(decision_id: int, out: OutOpt = None) -> None:
    """The decision DECISION_ID with its annexed list (PDF)."""
    from awardflow.services.decisions import decision_pdf

    try:
        with database() as db, db.read() as s:
            data = decision_pdf(s, decision_id)
    except Exception as exc:
        _fail(exc)
        return
    _write(out or Path(f"decision-{decision_id}.pdf"), data)


@report_app.command("certificates")
def report_certificates(decision_id: int, out: OutOpt = None) -> None:
    """Certificates of DECISION_ID, one A4 landscape page per recipient (PDF)."""
    from awardflow.services.decisions import certificates_pdf

    try:
        with database() as db, db.read() as s, _progress() as bar:
            bar.add_task("Đang in giấy khen…", total=None)
            data = certificates_pdf(s, decision_id)
    except Exception as exc:
        _fail(exc)
        return
    _write(out or Path(f"certificates-{decision_id}.pdf"), data)
