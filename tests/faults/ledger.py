"""What the load's clients saw: per nomination (possibly stale), and every answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Seen:
    """What the clients last saw of one nomination (possibly stale, on purpose)."""

    unit: str
    state: str = "draft"
    version: int = 1
    assignee: int | None = None


@dataclass(frozen=True, slots=True)
class Committed:
    nid: int
    trigger: str
    from_state: str
    to_state: str
    version: int
    event_seq: int
    replayed: bool
    user: str
    key: str | None


@dataclass
class Ledger:
    """Everything the clients saw; filled under a lock."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    committed: list[Committed] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    unknown: Counter[tuple[int, str]] = field(default_factory=Counter)
    unknown_creates: int = 0
    refused_connections: int = 0
    dropped: int = 0
    retries: int = 0
    server_errors: list[str] = field(default_factory=list)
    bad_shape: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)  # (monotonic, status)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def count(self, low: int, high: int) -> int:
        return sum(n for (_, status), n in self.statuses.items() if low <= status <= high)

    def p(self, q: float) -> float:
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000 if xs else 0.0
