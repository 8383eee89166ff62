"""The functions under gunicorn, functions-framework's production server, in a child process.

`start_gunicorn` runs `python -m devstack.gunicorn`: one gunicorn process over the router
(or over one function, `--function SOURCE:TARGET`: the benchmarks' bare baseline), with
`workers` × `threads` gthread workers, the closest one machine gets to Cloud Functions'
per-instance server. Each worker loads every function itself after the fork (no
`preload_app`): the arbiter never imports `common`, so no client, pool or gRPC channel
exists when it forks (`pre_fork` checks), and each worker's adapters are built lazily by
common/bootstrap.py on its first request, as on a fresh instance.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import HOST
from devstack.processes import stop_child, stop_leftover, write_pid

# Two workers on a 2-core machine use both cores; 8 threads each stay below the database
# pool of a process (DATABASE_POOL_SIZE 5 + 5 overflow), so no request waits for a
# connection. WORKERS and THREADS override them, as they do for functions-framework.
THREADS = 8
START_TIMEOUT_S = 60.0
PID_FILE = "gunicorn.pid"
MARKER = "devstack.gunicorn"


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    return len(os.sched_getaffinity(0))


@dataclass
class GunicornServer:
    """A running gunicorn arbiter and its workers."""

    process: subprocess.Popen[bytes]
    port: int
    run_dir: Path
    workers: int
    threads: int

    def stop(self) -> None:
        """Graceful stop (requests in flight finish), then kill after a grace period."""
        stop_child(self.process, self.run_dir / PID_FILE, grace_s=10)


def start_gunicorn(run_dir: Path, port: int, *, local_dir: Path | None = None,
                   function: str | None = None,
                   env: dict[str, str] | None = None) -> GunicornServer:
    """Serve the router (with the mail sink of local_dir) or `function` on HOST:port;
    return once every worker has loaded its app."""
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    stop_leftover(run_dir / PID_FILE, MARKER)
    for stale in [*run_dir.glob("ready-*"), *run_dir.glob("stats/*")]:
        stale.unlink()
    env = dict(os.environ if env is None else env)
    workers = int(env.get("WORKERS") or default_workers())
    threads = int(env.get("THREADS") or THREADS)
    command = [sys.executable, "-m", MARKER, "--port", str(port), "--run-dir", str(run_dir),
               "--workers", str(workers), "--threads", str(threads)]
    command += ["--function", function] if function else ["--local-dir", str(local_dir)]
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    process = subprocess.Popen(command, cwd=root, env=env)
    write_pid(run_dir / PID_FILE, process)
    server = GunicornServer(process, port, run_dir, workers, threads)
    deadline = time.monotonic() + START_TIMEOUT_S
    while len(list(run_dir.glob("ready-*"))) < workers:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"gunicorn did not start on port {port} "
                               f"(exit status {process.returncode}); see its output above")
        time.sleep(0.02)
    return server


def _router(local_dir: Path):  # noqa: ANN202
    """The router with the mail sink mounted, as devstack/stack.py serves it."""
    from devstack.mail_sink import wsgi_app as mail_wsgi_app
    from devstack.router import Router

    return Router(extra_prefixes={"/_dev/mail": mail_wsgi_app(local_dir)})


def _function(spec: str):  # noqa: ANN202
    """One function's app, exactly as functions-framework builds it: SOURCE:TARGET."""
    import functions_framework

    source, target = spec.rsplit(":", 1)
    return functions_framework.create_app(target, source, "http")


def _application(args: argparse.Namespace):  # noqa: ANN202
    """The gunicorn application of the command line."""
    import gunicorn.app.base

    def _post_worker_init(worker) -> None:  # noqa: ANN001
        """Tell start_gunicorn this worker has loaded its app."""
        (args.run_dir / f"ready-{os.getpid()}").touch()

    class Application(gunicorn.app.base.BaseApplication):
        """functions-framework's GunicornApplication options, with the app built per worker."""

        def load_config(self) -> None:
            options = {"bind": f"{HOST}:{args.port}", "workers": args.workers,
                       "threads": args.threads, "worker_class": "gthread",
                       "loglevel": os.environ.get("GUNICORN_LOG_LEVEL", "error"),
                       "limit_request_line": 0, "timeout": 0, "graceful_timeout": 5,
                       "pre_fork": _pre_fork, "post_worker_init": _post_worker_init}
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):  # noqa: ANN202
            app = _function(args.function) if args.function else _router(args.local_dir)
            if os.environ.get("BAZAAR_SERVER_STATS") == "1":
                from devstack.server_stats import install

                install(app, args.run_dir / "stats")
            return app

    return Application()


def _pre_fork(server, worker) -> None:  # noqa: ANN001
    """Refuse to fork an arbiter that has loaded our code (and could hold connections)."""
    if "common.bootstrap" in sys.modules:
        raise RuntimeError("the gunicorn arbiter imported common.bootstrap before forking")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.gunicorn", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=THREADS)
    served = parser.add_mutually_exclusive_group(required=True)
    served.add_argument("--local-dir", type=Path, help="serve the router")
    served.add_argument("--function", help="serve one function: SOURCE:TARGET")
    _application(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main()
