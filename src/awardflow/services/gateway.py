"""Handing a submission package to the receiving authority's system, behind a small protocol:
a file-drop folder (the province's shared inbox) and an HTTP POST. Both are idempotent by the
package's batch key. The province's real system is outside this machine; tests use the fake
authority below, which answers through the same transition service an authority user uses."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy.orm import Session

from awardflow.db.models import Submission
from awardflow.db.repositories import nominations as noms_repo
from awardflow.db.repositories import org as org_repo
from awardflow.db.repositories import submissions as repo
from awardflow.errors import AwardflowError
from awardflow.services.actors import actor_for_user
from awardflow.services.context import ServiceContext
from awardflow.services.packages import build_package
from awardflow.services.transition_batch import TransitionBatch
from awardflow.states import NominationState, Role, Trigger


class SubmissionGateway(Protocol):
    def send(self, batch_key: str, manifest: dict[str, Any], package: bytes) -> str:
        """Deliver the manifest and the zipped dossiers; return the receiver's reference.
        Safe to call twice."""
        ...


@dataclass
class FileDropGateway:
    folder: Path

    def send(self, batch_key: str, manifest: dict[str, Any], package: bytes) -> str:
        target = self.folder / batch_key
        target.mkdir(parents=True, exist_ok=True)
        body = json.dumps(manifest, ensure_ascii=False, indent=2, default=str).encode()
        # the package first, the manifest last: a receiver that sees the manifest sees it all
        for name, content in (("package.zip", package), ("manifest.json", body)):
            tmp = target / f"{name}.part"
            tmp.write_bytes(content)
            tmp.replace(target / name)  # atomic: never half a file
        return f"file:{target / 'manifest.json'}"


@dataclass
class HttpGateway:
    url: str
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None

    def send(self, batch_key: str, manifest: dict[str, Any], package: bytes) -> str:
        body = json.dumps(manifest, default=str).encode()
        files: dict[str, tuple[str, bytes, str]] = {
            "manifest": ("manifest.json", body, "application/json"),
            "package": (f"{batch_key}.zip", package, "application/zip"),
        }
        with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
            response = client.post(self.url, files=files, headers={"Idempotency-Key": batch_key})
            response.raise_for_status()
            body = response.json() if response.content else {}
            return str(body.get("reference") or f"http:{batch_key}")


def send_submission(
    session: Session,
    gateway: SubmissionGateway,
    submission: Submission,
    now: datetime | None = None,
) -> str:
    """Send a prepared or submitted package and record the receiver's reference."""
    if submission.gateway_ref:
        return submission.gateway_ref
    package = build_package(session, submission.id)
    submission.gateway_ref = gateway.send(submission.batch_key, submission.manifest, package)
    submission.sent_at = now or datetime.now(UTC)
    submission.status = "sent"
    session.flush()
    return submission.gateway_ref


@dataclass
class FakeAuthority:
    """Answers submitted dossiers like a province would: mostly confers, sometimes returns a
    dossier for more documents, occasionally refuses. Deterministic for a given seed."""

    seed: int = 2026
    confer: float = 0.75
    return_: float = 0.15

    def answer(
        self,
        session: Session,
        ctx: ServiceContext,
        submission: Submission,
        now: datetime | None = None,
    ) -> dict[str, int]:
        now = now or datetime.now(UTC)
        user_ids = org_repo.users_with_role_under(
            session, Role.AUTHORITY, org_repo.unit_path(session, submission.authority_unit_id)
        )
        if not user_ids:
            return {}
        actor = actor_for_user(session, user_ids[0])
        rng = random.Random(f"{self.seed}:{submission.batch_key}")
        done: dict[str, int] = {}
        states = repo_states(session, submission)
        # one transition batch: an answer the guards refuse plans (and writes) nothing
        batch = TransitionBatch(session, ctx, now=now)
        batch.load([nid for nid, state in states.items() if state is NominationState.SUBMITTED])
        for order, (nid, state) in enumerate(sorted(states.items()), start=1):
            if state is not NominationState.SUBMITTED:
                continue
            roll = rng.random()
            trigger, kw = self._choice(roll, submission, order, now)
            try:
                batch.add(nid, trigger, actor, **kw)
            except AwardflowError:
                if batch.broken:
                    raise
                continue
            done[trigger.value] = done.get(trigger.value, 0) + 1
        batch.write()
        return done

    def _choice(
        self, roll: float, submission: Submission, order: int, now: datetime
    ) -> tuple[Trigger, dict[str, Any]]:
        if roll < self.confer:
            number = f"{submission.id:03d}{order:02d}/QĐ-UBND"
            return Trigger.CONFER, {
                "data": {
                    "decision_number": number,
                    "decision_date": date.fromordinal(now.toordinal()),
                }
            }
        if roll < self.confer + self.return_:
            return Trigger.AUTHORITY_RETURN, {
                "comment": "Đề nghị bổ sung báo cáo thành tích có xác nhận của cấp trình."
            }
        return Trigger.REFUSE, {"comment": "Thành tích chưa đạt tiêu chuẩn khen thưởng cấp tỉnh."}


def repo_states(session: Session, submission: Submission) -> dict[int, NominationState]:
    return noms_repo.states(session, repo.item_ids(session, submission.id))
