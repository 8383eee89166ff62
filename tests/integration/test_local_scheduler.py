"""The local Cloud Scheduler runs the manifest's scheduled functions as production does."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from common import bootstrap
from devstack import manifest
from devstack.ports import free_port
from devstack.scheduler import Cron, Job, LocalScheduler, jobs_from_manifest, to_cron

MINUTE_IN_A_QUARTER_SECOND = 0.25 / 60  # time scale: one modelled minute lasts 0.25 s


class Target:
    """A local HTTP endpoint per path that answers, fails or dawdles, and records each call."""

    def __init__(self, answers: dict[str, tuple[int, float]]) -> None:
        self.answers, self.calls = answers, {path: [] for path in answers}
        self.in_flight = self.most_in_flight = 0
        self.headers: list = []  # email.message.Message: names case-insensitive, as in HTTP
        self._lock = threading.Lock()
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                target.handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        status, seconds = self.answers[request.path]
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self.headers.append(request.headers)
            began = time.monotonic()
        time.sleep(seconds)
        with self._lock:
            self.in_flight -= 1
            self.calls[request.path].append((began, time.monotonic()))
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target():
    started = Target({"/ok": (200, 0), "/fail": (500, 0), "/slow": (200, 0.6)})
    yield started
    started.close()


def _run_for(seconds: float, jobs: list[Job], scale: float) -> LocalScheduler:
    scheduler = LocalScheduler(jobs, time_scale=scale).start()
    time.sleep(seconds)
    scheduler.stop()
    return scheduler


@pytest.mark.parametrize(("schedule", "cron"), [
    ("every 1 minutes", "* * * * *"), ("every 5 minutes", "*/5 * * * *"),
    ("every 1 hours", "0 * * * *"), ("every 6 hours", "0 */6 * * *"),
    ("15 3 * * 1", "15 3 * * 1"),
], ids=["every-minute", "every-5-minutes", "every-hour", "every-6-hours", "cron-as-is"])
def test_schedules_translate_to_the_cron_terraform_deploys(schedule, cron):
    # Given a manifest schedule, when translated, then it is terraform/modules/manifest's cron
    assert to_cron(schedule) == cron


@pytest.mark.parametrize("schedule", [
    "every 5 seconds", "every day 09:00", "every 0 minutes", "every 90 minutes", "*/5 * * *",
    "0 9 * * MON",
], ids=["seconds", "app-engine-daily", "zero", "step-beyond-the-hour", "four-fields", "names"])
def test_a_schedule_the_translation_does_not_support_fails_loudly(schedule):
    # Given a schedule Terraform would not turn into a runnable cron, then it is refused
    with pytest.raises(ValueError, match="schedule|cron"):
        LocalScheduler([Job("some_job", schedule, "http://127.0.0.1:9/")])


@pytest.mark.parametrize(("cron", "after", "expected"), [
    ("*/5 * * * *", datetime(2026, 3, 10, 10, 3, 20), datetime(2026, 3, 10, 10, 5)),
    ("*/5 * * * *", datetime(2026, 3, 10, 10, 5), datetime(2026, 3, 10, 10, 10)),
    ("0 */6 * * *", datetime(2026, 3, 10, 5, 59), datetime(2026, 3, 10, 6, 0)),
    ("15 3 * * 1", datetime(2026, 3, 10, 10, 0), datetime(2026, 3, 16, 3, 15)),
    ("0 0 1 * 1", datetime(2026, 3, 10, 10, 0), datetime(2026, 3, 16, 0, 0)),
], ids=["next-multiple", "strictly-after", "hour-step", "weekday", "day-or-weekday"])
def test_the_next_tick_is_the_next_matching_utc_minute(cron, after, expected):
    # Given a cron schedule, when asked for the tick after a moment, then it is the next match
    assert Cron.parse(cron).next_after(after.replace(tzinfo=UTC)) == expected.replace(tzinfo=UTC)


def test_every_scheduled_function_of_the_manifest_is_a_job_at_its_internal_path():
    # Given the manifest, when the jobs are read from it
    jobs = jobs_from_manifest("http://127.0.0.1:8080")
    # Then each scheduled function is one job, POSTed at /_internal/<name>
    scheduled = {f.name: f.schedule for f in manifest.functions().values() if f.schedule}
    assert {job.name: job.schedule for job in jobs} == scheduled
    assert {"sweep_outbox", "reconcile_registrations"} <= set(scheduled)
    assert all(job.url == f"http://127.0.0.1:8080/_internal/{job.name}" for job in jobs)


def _pending_outbox_row(stack, mail) -> str:
    """An outbox event left unpublished a minute ago (a relay that died after commit)."""
    from tests.e2e.client import Api

    user = Api(stack.base_url, mail).register("customer", verify=False, login=False)
    mail.wait_for(user.email, subject_contains="Confirm your email", timeout=30)
    with bootstrap.engine().begin() as db:
        return str(db.execute(text(
            "UPDATE outbox_events o SET published_at = NULL, "
            "occurred_at = occurred_at - interval '1 minute' FROM accounts a "
            "WHERE o.payload->>'account_id' = a.id::text AND a.email = :email "
            "RETURNING o.id"), {"email": user.email}).scalar_one())


def _published_at(row_id: str) -> datetime | None:
    with bootstrap.engine().connect() as db:
        return db.execute(text("SELECT published_at FROM outbox_events WHERE id = :id"),
                          {"id": row_id}).scalar_one()


def test_the_sweep_publishes_a_pending_row_on_its_schedule_without_being_called(stack, mail):
    # Given a pending outbox row, and the sweep's job on a compressed clock
    row_id = _pending_outbox_row(stack, mail)
    sweep = [job for job in jobs_from_manifest(stack.base_url) if job.name == "sweep_outbox"]
    scheduler = LocalScheduler(sweep, time_scale=MINUTE_IN_A_QUARTER_SECOND).start()
    try:
        # When time passes (no test code calls the sweep)
        deadline = time.monotonic() + 20
        while _published_at(row_id) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        # Then the scheduled sweep has published it through the function's HTTP door
        assert _published_at(row_id) is not None
        status = scheduler.status("sweep_outbox")
        assert status.runs >= 1 and status.last_status == 200 and status.last_error is None
    finally:
        scheduler.stop()


def test_the_test_sessions_scheduler_runs_a_job_only_when_triggered(stack):
    # Given the stack's own scheduler (the test session does not let it tick)
    scheduler = stack.services["scheduler"]
    before = scheduler.status("sweep_outbox").runs
    # When a job is triggered
    status = scheduler.trigger("sweep_outbox")
    # Then it ran at once, answered 200, and nothing runs on a schedule in this session
    assert (status.runs, status.last_status, status.last_error) == (before + 1, 200, None)
    assert status.last_duration_s is not None and status.last_duration_s < 30
    assert scheduler.ticking is False


def test_a_failing_job_does_not_stop_the_others_and_is_not_retried_before_its_next_tick(target):
    # Given a job answering 500, one whose address refuses connections, and a healthy one
    jobs = [Job("failing", "every 1 minutes", target.url("/fail")),
            Job("unreachable", "every 1 minutes", f"http://127.0.0.1:{free_port()}/"),
            Job("healthy", "every 1 minutes", target.url("/ok"))]
    # When they run for about six ticks
    scheduler = _run_for(1.6, jobs, MINUTE_IN_A_QUARTER_SECOND)
    # Then the healthy job kept running, and each failure waited for the next tick
    failing, unreachable, healthy = (scheduler.status(j.name) for j in jobs)
    assert healthy.runs >= 4 and healthy.failures == 0 and healthy.last_status == 200
    assert failing.runs == failing.failures == len(target.calls["/fail"]) >= 4
    assert (failing.last_status, failing.last_error) == (500, "HTTP 500")
    assert unreachable.runs == unreachable.failures >= 4
    assert (unreachable.last_status, unreachable.last_error) == (None, "ConnectionRefusedError")
    starts = [began for began, _ in target.calls["/fail"]]
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) > 0.25 * 0.7


def test_runs_of_one_job_never_overlap_and_a_tick_during_a_run_starts_when_it_ends(target):
    # Given a job that takes 0.6 s while it is due every 0.25 s, also triggered by hand
    job = Job("slow", "every 1 minutes", target.url("/slow"))
    scheduler = LocalScheduler([job], time_scale=MINUTE_IN_A_QUARTER_SECOND).start()
    try:
        # When a tick and a trigger compete
        time.sleep(0.3)
        triggered = scheduler.trigger("slow")
        time.sleep(1.0)
    finally:
        scheduler.stop()
    # Then only one run was ever in flight, and each next run began as the previous ended
    calls = target.calls["/slow"]
    assert target.most_in_flight == 1
    assert len(calls) >= 3 and triggered.runs >= 2
    assert max(b[0] - a[1] for a, b in zip(calls, calls[1:], strict=False)) < 0.2
    assert {h.get("X-CloudScheduler-JobName") for h in target.headers} == {"slow"}
    assert {h.get("User-Agent") for h in target.headers} == {"Google-Cloud-Scheduler"}
    assert sum(h.get("X-CloudScheduler-ScheduleTime") is None for h in target.headers) == 1
