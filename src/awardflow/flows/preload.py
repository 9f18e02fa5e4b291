"""Flow runs of ``awardflow worker`` forked from a copy of the worker that has imported Prefect
and the flows already, instead of a fresh ``python -m prefect.engine`` interpreter per run.

Prefect's runner (``serve``) starts every flow run of a served deployment as
``python -m prefect.engine``: a new interpreter that imports Prefect and awardflow before it
runs anything, 7-8 s of CPU here (10-30 s on a busy 2-core machine). Before it serves, the
worker imports what that command imports, builds what every run builds first (:func:`warm`)
and forks a zygote (``flows/zygote.py``) while it still has a single thread (Prefect's engine
must not be forked from a process with threads, which is why Prefect spawns). For each flow
run the zygote forks a child that runs ``prefect.engine`` as ``__main__`` with the environment
and working directory the runner built. Each run is still a process of its own (its own
database pool, signalled, cancelled and killed by pid as before); only the imported code and
the built caches are shared, copy-on-write.

The runner's ``EngineCommandStarter`` calls ``run_process`` through its module (Prefect names
that the place to override); :func:`preloaded_flow_runs` replaces it there while the worker
serves. Any other command or option goes to Prefect's own ``run_process``, and so does every
run if the zygote could not be forked or has gone (then each run starts cold, as before).
"""

from __future__ import annotations

import logging
import os
import runpy
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import date
from importlib import import_module
from typing import Any

import anyio

from awardflow.flows.zygote import Zygote
from awardflow.settings import Settings

#: under Prefect's ``prefect.runner`` logger, so its lines show in the worker's output
log = logging.getLogger("prefect.runner.preload")

#: what ``python -m prefect.engine`` imports to run awardflow's flows, imported before the fork
PRELOAD = (
    "prefect.flow_engine",
    "prefect.runner",
    "awardflow.flows.work",
    "awardflow.flows.delivery",
)
ENGINE = ("-m", "prefect.engine")
#: the name ``prefect.runner._starter_engine`` starts its processes with (Prefect 3.8)
SEAM = "run_process"


def run_engine(env: Mapping[str, str], cwd: str | None, inherited: tuple[int, ...]) -> None:
    """In a flow run's process: become ``python -m prefect.engine`` with ``env`` and ``cwd``.

    Prefect's settings are read again from the new environment (as Prefect does in the runs it
    spawns itself); awardflow's are read on first use (nothing read them before the fork)."""
    from prefect.context import SettingsContext, get_settings_context
    from prefect.settings import Settings

    for fd in inherited:  # the zygote's socket and the other runs' pipes
        with suppress(OSError):
            os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # the zygote ignores Ctrl-C
    os.environ.clear()
    os.environ.update(env)
    if cwd is not None:
        os.chdir(cwd)
    sys.argv = sys.argv[:1]  # the worker's arguments are not the engine's
    sys.modules.pop("prefect.engine", None)  # run as __main__, as ``-m`` does
    current = get_settings_context()
    with SettingsContext(profile=current.profile, settings=Settings()):
        runpy.run_module("prefect.engine", run_name="__main__", alter_sys=True)


def _is_engine(command: list[str], stream_output: object, kwargs: Mapping[str, Any]) -> bool:
    return (
        command == [sys.executable, *ENGINE]
        and stream_output is True  # the child writes to the worker's stdout/stderr
        and set(kwargs) <= {"env", "cwd"}
    )


def preloaded_run_process(original: Callable[..., Any], zygote: Zygote) -> Callable[..., Any]:
    """A stand-in for Prefect's ``run_process`` that has ``zygote`` fork ``prefect.engine``
    runs and hands everything else (and every run once the zygote is gone) to ``original``."""

    async def run_process(
        command: list[str],
        *,
        stream_output: object = False,
        task_status: Any = None,
        task_status_handler: Any = None,
        **kwargs: Any,
    ) -> Any:
        def cold() -> Any:
            return original(
                command,
                stream_output=stream_output,
                task_status=task_status,
                task_status_handler=task_status_handler,
                **kwargs,
            )

        if not _is_engine(command, stream_output, kwargs) or not zygote.alive():
            return await cold()
        env = {k: v for k, v in (kwargs.get("env") or os.environ).items() if v is not None}
        cwd = None if kwargs.get("cwd") is None else str(kwargs["cwd"])
        try:
            process = await anyio.to_thread.run_sync(zygote.start, env, cwd)
        except OSError:
            log.warning("the zygote is gone; this flow run starts as a new process", exc_info=True)
            return await cold()
        log.info("Flow run process %d forked from the preloaded worker", process.pid)
        if task_status is not None:
            started = task_status_handler(process) if task_status_handler else process.pid
            task_status.started(started)
        await process.wait()
        return process

    return run_process


def warm(settings: Settings | None = None) -> None:
    """Build, before the fork, what every flow run would otherwise build first (0.3-3 s of
    CPU each here): the ORM's mappers, the public holidays of this year and the next, the
    mail templates. Nothing here opens a connection; a second call costs nothing."""
    from sqlalchemy.orm import configure_mappers

    from awardflow.campaigns.calendar import WorkingCalendar
    from awardflow.notifications import render
    from awardflow.settings import get_settings

    settings = settings or get_settings()

    configure_mappers()
    calendar, year = WorkingCalendar(), date.today().year
    for day in (date(year, 1, 1), date(year + 1, 1, 1)):
        calendar.is_working_day(day)
    for fmt in ("txt", "html"):
        for lang in render.LANGUAGES:
            templates = render.environment(fmt, lang, settings.timezone)
            for name in templates.list_templates():
                templates.get_template(name)


@contextmanager
def preloaded_flow_runs(settings: Settings) -> Iterator[Zygote | None]:
    """While inside, the runner's flow runs are forked from a zygote of this process (call it
    before anything starts a thread; with threads it leaves Prefect's way alone and yields
    ``None``)."""
    for name in PRELOAD:
        import_module(name)
    warm(settings)
    starter = import_module("prefect.runner._starter_engine")
    if not callable(getattr(starter, SEAM, None)):  # another Prefect: leave its way alone
        log.warning(
            "Prefect's runner has no %s to override: flow runs start as new processes", SEAM
        )
        yield None
        return
    zygote = Zygote.fork(run_engine)
    if zygote is None:
        log.warning("threads are running: flow runs start as new processes")
        yield None
        return
    original = getattr(starter, SEAM)
    setattr(starter, SEAM, preloaded_run_process(original, zygote))
    try:
        yield zygote
    finally:
        setattr(starter, SEAM, original)
        zygote.close()
