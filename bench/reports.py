"""Bench: a round of 10,000 nominations renders its summary PDF and XLSX in bounded time and
memory. Run: ``.venv/bin/python -m bench.reports [ROWS] [--trace]``. Prints seconds, the process's
peak RSS (ru_maxrss, which includes Pango/cairo) and, with ``--trace``, the tracemalloc peak
(Python allocations) from a second, separate pass: tracemalloc slows WeasyPrint five- to tenfold,
so the seconds are always taken with it off."""

from __future__ import annotations

import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from awardflow.reports.html import render_summary
from awardflow.reports.pdf import html_to_pdf
from awardflow.reports.xlsx import summary_workbook

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Lường")
MIDDLE = ("Thị", "Văn", "Ngọc", "Quốc", "Thu", "Minh", "Đức")
GIVEN = ("Lan", "Minh", "Hoa", "Ánh", "Việt", "Hùng", "Thảo", "Dũng", "Hương", "Sơn", "Út")
AWARDS = ("Giấy khen của Giám đốc Sở", "Bằng khen của Chủ tịch UBND tỉnh", "Chiến sĩ thi đua cơ sở")


def synthetic_summary(rows: int, seed: int = 2026) -> dict[str, Any]:
    rng = random.Random(seed)
    units = [f"Trường THPT số {i} huyện Mường Ảng" for i in range(1, 201)]
    day = date(2026, 12, 20)
    awarded = [
        {
            "nomination_id": i,
            "nominee": f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "kind": "individual",
            "unit": rng.choice(units),
            "award": rng.choice(AWARDS),
            "decision_number": f"{100 + i % 50}/QĐ-SGDĐT",
            "decision_date": (day + timedelta(days=i % 9)).isoformat(),
        }
        for i in range(1, rows + 1)
    ]
    by_state = {"awarded": rows, "rejected": rows // 10, "lapsed": rows // 50}
    return {
        "title": "Tổng hợp kết quả năm học 2025–2026",
        "campaign": "Phong trào thi đua đổi mới sáng tạo",
        "campaign_code": "bench",
        "period": {"start": "2026-01-05", "end": "2026-12-15"},
        "generated_on": "2026-12-30",
        "round_ids": [1],
        "by_state": by_state,
        "by_kind": {"individual": sum(by_state.values())},
        "by_unit": [{"unit": u, "count": rows // 200} for u in units],
        "by_award": [
            {"code": f"a{i}", "name": a, "state": "awarded", "count": rows // 3}
            for i, a in enumerate(AWARDS)
        ],
        "total": sum(by_state.values()),
        "phase_times": {
            p: {"count": rows, "median": 4.5 + i, "p90": 12.0 + 2 * i}
            for i, p in enumerate(("unit_proposal", "appraisal", "council", "submission"))
        },
        "overdue": 37,
        "stuck": 12,
        "awarded": awarded,
    }


def measure(name: str, work: Callable[[], bytes], trace: bool = False) -> dict[str, float]:
    start = time.perf_counter()
    size = len(work())
    seconds = time.perf_counter() - start
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"seconds": seconds, "maxrss_mib": rss_mib}
    line = f"{name:<5} {seconds:7.2f} s  maxrss {rss_mib:7.1f} MiB  output {size / 2**20:6.2f} MiB"
    if trace:
        tracemalloc.start()
        work()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["peak_mib"] = peak / 2**20
        line += f"  tracemalloc peak {peak / 2**20:7.1f} MiB"
    print(line, flush=True)
    return result


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args = sys.argv[1:] if argv is None else argv
    trace = "--trace" in args
    numbers = [a for a in args if a != "--trace"]
    rows = int(numbers[0]) if numbers else 10_000
    data = synthetic_summary(rows)
    print(f"summary of {rows:,} awarded nominations")
    results = {"xlsx": measure("xlsx", lambda: summary_workbook(data), trace)}
    results["pdf"] = measure("pdf", lambda: html_to_pdf(render_summary(data)), trace)
    return results


if __name__ == "__main__":
    main()
