"""Local Cloud Scheduler: runs the manifest's `schedule:` functions as production does.

Each scheduled function gets one job, as terraform/modules/scheduler makes one: an HTTP POST
to the function (locally /_internal/<name> on the stack's HTTP server), on the unix-cron
schedule that terraform/modules/manifest translates the manifest's text into, in UTC, with
no retries (the next tick is the retry) and never two runs of one job at once (a tick that
falls during a run starts as soon as that run ends, as Cloud Scheduler documents).
Intervals follow a modelled clock that runs 1/BAZAAR_TIME_SCALE times faster than the
wall clock. See docs/decisions/0013-local-scheduler-and-workflows-infrastructure.md.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

logger = logging.getLogger(__name__)

# terraform/modules/scheduler: attempt_deadline = "320s". Not scaled: a function's own work
# takes as long as it takes; only the waits between ticks are compressed.
ATTEMPT_DEADLINE_S = 320.0
_EVERY = re.compile(r"every (\d+) (minute|hour)s?")
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
           ("day of week", 0, 7))
_SEARCH_DAYS = 366 * 8  # far enough for "0 0 29 2 *" (leap days can be 8 years apart)


def to_cron(schedule: str) -> str:
    """The unix-cron expression terraform/modules/manifest makes of a manifest `schedule:`
    (ValueError for any other form, or a step that does not fit its field)."""
    every = _EVERY.fullmatch(schedule)
    if every:
        n, unit = int(every.group(1)), every.group(2)
        if not 1 <= n <= (59 if unit == "minute" else 23):
            raise ValueError(f"schedule {schedule!r}: N must be 1..59 minutes or 1..23 hours")
        if unit == "minute":
            return "* * * * *" if n == 1 else f"*/{n} * * * *"
        return "0 * * * *" if n == 1 else f"0 */{n} * * *"
    if len(schedule.split()) == 5:
        Cron.parse(schedule)  # refuses what this scheduler could not run
        return schedule
    raise ValueError(f"schedule {schedule!r}: write \"every N minutes\", \"every N hours\" "
                     "or a 5-field unix-cron expression")


def _field(text: str, name: str, low: int, high: int) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        match = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", part)
        if not match:
            raise ValueError(f"cron {name} {text!r}: only numbers, *, a-b, lists and /step")
        start = low if match.group(1) == "*" else int(match.group(2))
        end = high if match.group(1) == "*" else int(match.group(3) or start)
        step = int(match.group(4) or 1)
        if match.group(4) and match.group(1) != "*" and match.group(3) is None:
            raise ValueError(f"cron {name} {text!r}: a step needs * or a range")
        if not low <= start <= end <= high or step < 1:
            raise ValueError(f"cron {name} {text!r}: out of {low}..{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A 5-field unix-cron schedule (numbers, *, ranges, lists, steps; no names)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> "Cron":
        texts = expression.split()
        if len(texts) != 5:
            raise ValueError(f"cron {expression!r}: 5 fields expected")
        sets = [_field(t, *spec) for t, spec in zip(texts, _FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in sets[4])
        return cls(*sets[:4], weekdays, texts[2].startswith("*"), texts[4].startswith("*"))

    def _day_matches(self, day: datetime) -> bool:
        in_month = day.day in self.days
        in_week = (day.weekday() + 1) % 7 in self.weekdays
        if self.any_day or self.any_weekday:  # cron: one restricted field decides alone
            return in_month and in_week
        return in_month or in_week  # both restricted: either matches

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute strictly after `moment` (UTC)."""
        start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(_SEARCH_DAYS):
            if day.month in self.months and self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        raise ValueError("cron schedule never matches")


@dataclass(frozen=True)
class Job:
    """One scheduled function: what the manifest says, and where it is served."""

    name: str
    schedule: str
    url: str

    @property
    def cron(self) -> str:
        return to_cron(self.schedule)

    @property
    def job_id(self) -> str:
        """The Cloud Scheduler job id Terraform gives it (hyphens for underscores)."""
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class JobStatus:
    """What a job has done so far: for tests and for `nox -s dev`."""

    name: str
    schedule: str
    runs: int = 0
    failures: int = 0
    last_run_at: datetime | None = None
    last_status: int | None = None  # the HTTP status, None when no response came
    last_error: str | None = None  # None after a 2xx
    last_duration_s: float | None = None


def jobs_from_manifest(base_url: str) -> list[Job]:
    """One job per manifest function with a `schedule:`, at its local internal path."""
    from devstack import manifest

    return [Job(f.name, f.schedule, f"{base_url}/_internal/{f.name}")
            for f in manifest.functions().values() if f.schedule]


class _ModelledClock:
    """UTC time that runs 1/scale times faster than the wall clock, from now on."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self._origin = datetime.now(UTC)
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=(time.monotonic() - self._began) / self.scale)

    def wall_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.now()).total_seconds() * self.scale)


@dataclass
class _Slot:
    job: Job
    cron: Cron
    status: JobStatus
    lock: threading.Lock = field(default_factory=threading.Lock)  # held while a run is on


class LocalScheduler:
    """Runs jobs on their schedules (ticking) or only when trigger() asks (not ticking)."""

    def __init__(self, jobs: list[Job], *, time_scale: float = 1.0, ticking: bool = True,
                 attempt_deadline_s: float = ATTEMPT_DEADLINE_S) -> None:
        self.clock = _ModelledClock(time_scale)
        self.ticking = ticking
        self.attempt_deadline_s = attempt_deadline_s
        self._slots = {job.name: _Slot(job, Cron.parse(job.cron), JobStatus(job.name, job.schedule))
                       for job in jobs}
        self._state = threading.Lock()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []
        # Never through a proxy: every target is on this machine.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def jobs(self) -> list[Job]:
        return [slot.job for slot in self._slots.values()]

    def start(self) -> "LocalScheduler":
        """Start one thread per job when ticking; trigger() works either way."""
        if self.ticking:
            for slot in self._slots.values():
                thread = threading.Thread(target=self._tick, args=(slot,), daemon=True,
                                          name=f"scheduler-{slot.job.job_id}")
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop ticking; a run in flight finishes (up to its attempt deadline)."""
        self._stopped.set()
        for thread in self._threads:
            thread.join(timeout=self.attempt_deadline_s)

    def env(self) -> dict[str, str]:
        """No settings: production code never talks to the scheduler."""
        return {}

    def status(self, name: str) -> JobStatus:
        with self._state:
            return self._slots[name].status

    def statuses(self) -> list[JobStatus]:
        with self._state:
            return [slot.status for slot in self._slots.values()]

    def trigger(self, name: str) -> JobStatus:
        """Run a job now (as `gcloud scheduler jobs run`), after any run in flight; its status."""
        self._run(self._slots[name], scheduled=None)
        return self.status(name)

    def _tick(self, slot: _Slot) -> None:
        due = slot.cron.next_after(self.clock.now())
        while not self._stopped.wait(self.clock.wall_seconds_until(due)):
            self._run(slot, scheduled=due)
            due = self._following(slot.cron, due)

    def _following(self, cron: Cron, due: datetime) -> datetime:
        """The next tick; ticks missed during a long run collapse into one, started now."""
        now, upcoming, missed = self.clock.now(), cron.next_after(due), None
        while upcoming <= now:
            missed, upcoming = upcoming, cron.next_after(upcoming)
        return missed or upcoming

    def _run(self, slot: _Slot, scheduled: datetime | None) -> None:
        with slot.lock:
            began_at, began = datetime.now(UTC), time.perf_counter()
            status, error = self._post(slot.job, scheduled)
            duration = time.perf_counter() - began
            with self._state:
                old = slot.status
                slot.status = JobStatus(old.name, old.schedule, old.runs + 1,
                                        old.failures + (error is not None), began_at, status,
                                        error, duration)
        if error:
            logger.warning("scheduled job %s failed: %s (the next tick is the retry)",
                           slot.job.name, error)

    def _post(self, job: Job, scheduled: datetime | None) -> tuple[int | None, str | None]:
        """POST with Cloud Scheduler's headers; (HTTP status, error or None)."""
        headers = {"User-Agent": "Google-Cloud-Scheduler", "X-CloudScheduler": "true",
                   "X-CloudScheduler-JobName": job.job_id}
        if scheduled is not None:
            headers["X-CloudScheduler-ScheduleTime"] = scheduled.strftime("%Y-%m-%dT%H:%M:%SZ")
        request = urllib.request.Request(job.url, data=b"", headers=headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.attempt_deadline_s) as response:
                response.read()
                return response.status, None
        except urllib.error.HTTPError as answer:
            return answer.code, f"HTTP {answer.code}"
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return None, type(reason).__name__


def describe(scheduler: LocalScheduler) -> list[str]:
    """One line per job for the `nox -s dev` banner: schedule, cron, wall-clock period."""
    scale, lines = scheduler.clock.scale, []
    for job in scheduler.jobs:
        every = _EVERY.fullmatch(job.schedule)
        period = ""
        if every and scale != 1:
            seconds = int(every.group(1)) * (60 if every.group(2) == "minute" else 3600)
            period = f", every {seconds * scale:g} s of wall time"
        lines.append(f"{job.name:<24} {job.schedule} ({job.cron}{period})")
    return lines
