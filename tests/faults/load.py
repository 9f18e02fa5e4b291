"""32 HTTP clients firing random legal and illegal actions at a real ``awardflow api`` process.

Each client loops: create a draft, read a nomination, or act on one: the trigger that fits
what it last saw (often stale), or on purpose a wrong one: an unknown trigger, a wrong role, a
missing reason, a stale or garbled ``If-Match``, a repeated ``Idempotency-Key`` (the same
request, which must replay, or another action, which must be refused). Everything a client
saw is written in a :class:`Ledger` that the checks compare with the database afterwards.

A request whose answer never came (connection dropped, or a 503) has an unknown outcome. With
``retry=True`` a client resends a keyed request with the same key until it gets an answer,
as a well-behaved client would; unkeyed ones stay unknown.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from typing import Any

import httpx
from tests.faults.cast import CLERK, HEAD, USERS, Cast
from tests.faults.ledger import Committed, Ledger, Seen
from tests.faults.plan import TERMINAL, Op, if_match, plan


class Load:
    def __init__(
        self, base_url: str, cast: Cast, *, clients: int = 32, seed: int = 9, retry: bool = False
    ) -> None:
        self.base_url, self.cast, self.clients, self.seed = base_url, cast, clients, seed
        self.retry = retry
        self.tokens = cast.tokens()
        self.ledger = Ledger()
        self.seen: dict[int, Seen] = {nid: Seen(unit) for nid, unit in cast.drafts}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.errors: list[BaseException] = []

    # --- running --------------------------------------------------------------------------

    def start(self) -> Load:
        for i in range(self.clients):
            t = threading.Thread(target=self._client, args=(i,), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> Ledger:
        self._stop.set()
        for t in self._threads:
            t.join(60)
        assert not any(t.is_alive() for t in self._threads), "a client did not stop"
        assert not self.errors, f"client crashed: {self.errors[0]!r}"
        return self.ledger

    def run(self, seconds: float) -> Ledger:
        self.start()
        time.sleep(seconds)
        return self.stop()

    def _client(self, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        keys: list[tuple[str, int, str, Op, Committed | None]] = []
        try:
            with httpx.Client(base_url=self.base_url, timeout=15) as http:
                while not self._stop.is_set():
                    self._step(http, rng, keys)
        except BaseException as err:  # surfaced by stop()
            self.errors.append(err)

    # --- one step ---------------------------------------------------------------------------

    def _step(
        self,
        http: httpx.Client,
        rng: random.Random,
        keys: list[tuple[str, int, str, Op, Committed | None]],
    ) -> None:
        r = rng.random()
        if r < 0.07:
            self._create(http, rng)
            return
        nid = self._pick(rng)
        if r < 0.17:
            self._read(http, nid, rng.choice(USERS) if rng.random() < 0.1 else None)
            return
        with self._lock:
            seen = Seen(**vars(self.seen[nid]))
        if keys and rng.random() < 0.08:
            self._repeat(http, rng, keys)
            return
        op = plan(rng, self.cast, seen)
        tag = if_match(rng, seen)
        key = uuid.uuid4().hex if rng.random() < 0.3 else None
        result = self._fire(http, nid, op, tag, key)
        if key is not None and op.kind == "action":
            keys.append((op.user, nid, key, op, result))
            del keys[:-20]

    def _pick(self, rng: random.Random) -> int:
        with self._lock:
            ids = list(self.seen)
            for _ in range(4):
                nid = rng.choice(ids)
                if self.seen[nid].state not in TERMINAL or rng.random() < 0.1:
                    break
        return nid

    # --- requests ---------------------------------------------------------------------------

    def _request(
        self,
        http: httpx.Client,
        method: str,
        path: str,
        user: str,
        *,
        kind: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        keyed: bool = False,
    ) -> httpx.Response | bool | None:
        """One request (and, keyed and with ``retry``, its resends). Returns the response;
        None when the outcome is unknown (sent, no answer, or a 5xx); False when nothing was
        sent (connection refused)."""
        hdrs = {"Authorization": f"Bearer {self.tokens[user]}", **(headers or {})}
        deadline = time.monotonic() + 45
        sent = False
        while True:
            began = time.monotonic()
            response: httpx.Response | None = None
            try:
                response = http.request(method, path, json=body, headers=hdrs)
            except httpx.ConnectError:
                with self._lock:
                    self.ledger.refused_connections += 1
                time.sleep(0.2)  # nobody listens (a restart): do not spin
            except httpx.TransportError:
                with self._lock:
                    self.ledger.dropped += 1
                sent = True
            else:
                self._record(kind, response, time.monotonic() - began)
                if response.status_code < 500:
                    return response
                sent = True
            may_retry = self.retry and (keyed or method == "GET")
            if self._stop.is_set() or not may_retry or time.monotonic() > deadline:
                return None if sent else False
            with self._lock:
                self.ledger.retries += 1
            time.sleep(0.2 + random.random() * 0.3)

    def _record(self, kind: str, response: httpx.Response, seconds: float) -> None:
        status = response.status_code
        shape_ok = True
        if status >= 400:
            try:
                body = response.json()
                shape_ok = {"error", "message", "message_en", "field"} <= set(body)
            except ValueError:
                shape_ok = False
        with self._lock:
            self.ledger.statuses[(kind, status)] += 1
            self.ledger.latencies.append(seconds)
            self.ledger.timeline.append((time.monotonic(), status))
            if status >= 500 and len(self.ledger.server_errors) < 50:
                retry_after = response.headers.get("Retry-After")
                self.ledger.server_errors.append(
                    f"{kind} {status} Retry-After={retry_after} {response.text[:300]}"
                )
            if not shape_ok and len(self.ledger.bad_shape) < 50:
                self.ledger.bad_shape.append(f"{kind} {status} {response.text[:200]}")

    def _remember(self, nid: int, body: dict[str, Any]) -> None:
        with self._lock:
            seen = self.seen.setdefault(nid, Seen("thpt-a"))
            seen.state = str(body.get("state", body.get("to_state", seen.state)))
            seen.version = int(body.get("version", seen.version))
            if "assignee_id" in body:
                seen.assignee = body["assignee_id"]

    def _create(self, http: httpx.Client, rng: random.Random) -> None:
        unit = rng.choice(["thpt-a", "thpt-b"])
        award = "giay_khen" if rng.random() < 0.95 else "bang_khen_tinh"
        body = {
            "round_id": self.cast["round"],
            "award_id": self.cast[award],
            "unit_id": self.cast[unit],
            "nominee_kind": "individual",
            "person_id": rng.choice(self.cast.persons[unit]),
            "achievement": "Đổi mới phương pháp dạy học",
        }
        user = CLERK[unit] if rng.random() < 0.9 else rng.choice(USERS)
        response = self._request(http, "POST", "/api/nominations", user, kind="create", body=body)
        if response is None:
            with self._lock:
                self.ledger.unknown_creates += 1
        elif response and response.status_code == 201:
            out = response.json()
            with self._lock:
                self.seen[int(out["id"])] = Seen(unit, out["state"], int(out["version"]))
                self.ledger.created.append(int(out["id"]))

    def _read(self, http: httpx.Client, nid: int, user: str | None = None) -> None:
        with self._lock:
            unit = self.seen[nid].unit
        response = self._request(
            http, "GET", f"/api/nominations/{nid}", user or HEAD[unit], kind="get"
        )
        if response and response.status_code == 200:
            self._remember(nid, response.json())

    def _fire(
        self, http: httpx.Client, nid: int, op: Op, if_match: str | None, key: str | None
    ) -> Committed | None:
        headers = {"If-Match": if_match} if if_match else {}
        response: httpx.Response | bool | None
        if op.kind == "checklist":
            body = {"criterion": op.data["criterion"], "met": True, "note": "Đạt"}
            path = f"/api/nominations/{nid}/checklist"
            response = self._request(http, "POST", path, op.user, kind="checklist", body=body)
        elif op.kind == "edit":
            path = f"/api/nominations/{nid}"
            response = self._request(
                http, "PATCH", path, op.user, kind="edit", body=op.data, headers=headers
            )
        else:
            if key:
                headers["Idempotency-Key"] = key
            path = f"/api/nominations/{nid}/actions/{op.trigger}"
            body = {"comment": op.comment, "data": op.data}
            response = self._request(
                http,
                "POST",
                path,
                op.user,
                kind="action",
                body=body,
                headers=headers,
                keyed=bool(key),
            )
        return self._outcome(http, nid, op, key, response)

    def _outcome(
        self,
        http: httpx.Client,
        nid: int,
        op: Op,
        key: str | None,
        response: httpx.Response | bool | None,
    ) -> Committed | None:
        if response is None and op.kind == "action":
            with self._lock:
                self.ledger.unknown[(nid, op.trigger)] += 1
        if not isinstance(response, httpx.Response):
            return None
        status, body = response.status_code, response.json()
        if status == 200 and op.kind == "action":
            done = Committed(
                nid,
                body["trigger"],
                body["from_state"],
                body["to_state"],
                int(body["version"]),
                int(body["event_seq"]),
                bool(body["replayed"]),
                op.user,
                key,
            )
            with self._lock:
                self.ledger.committed.append(done)
            self._remember(nid, {"state": done.to_state, "version": done.version})
            return done
        if status == 200:
            self._remember(nid, body)
        elif status == 409 and "current_version" in body:
            self._remember(nid, {"version": body["current_version"]})
        elif status in (403, 409) and op.kind == "action":
            self._read(http, nid)
        return None

    def _repeat(
        self,
        http: httpx.Client,
        rng: random.Random,
        keys: list[tuple[str, int, str, Op, Committed | None]],
    ) -> None:
        """Send an earlier keyed request again: the same one must replay its first result; a
        different action under the same key must be refused (422) once the key is stored."""
        user, nid, key, op, first = rng.choice(keys)
        same = rng.random() < 0.75
        trigger = op.trigger if same else ("claim" if op.trigger != "claim" else "propose")
        again = Op("action", user, trigger, op.comment, op.data)
        response = self._request(
            http,
            "POST",
            f"/api/nominations/{nid}/actions/{trigger}",
            user,
            kind="action",
            body={"comment": again.comment, "data": again.data},
            headers={"Idempotency-Key": key},
            keyed=True,
        )
        result = self._outcome(http, nid, again, key, response)
        if first is None or not isinstance(response, httpx.Response):
            return
        problem = None
        if same and (result is None or not result.replayed or _core(result) != _core(first)):
            problem = f"repeat of {first} answered {response.status_code} {response.text[:200]}"
        if not same and response.status_code != 422:
            problem = f"other action under key of {first} answered {response.status_code}"
        if problem:
            with self._lock:
                self.ledger.mismatches.append(problem)


def _core(c: Committed) -> tuple[Any, ...]:
    return (c.nid, c.trigger, c.from_state, c.to_state, c.version, c.event_seq)
