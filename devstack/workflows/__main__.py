"""python -m devstack.workflows --grpc-port P --http-port Q --project P --location L
--workflows-dir D [--workflows-dir …] [--pubsub-host H] [--time-scale S]

Runs in the stand-in's own virtual environment (devstack/workflows/venv.py). Deploys every
`*.yaml` of the folders (id = file stem; a DeployError stops it with the message, exit 2),
serves the Executions API over gRPC and the callbacks over HTTP on 127.0.0.1, prints one JSON
line when ready, and serves until SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from concurrent import futures
from pathlib import Path

import grpc

from devstack.ports import HOST
from devstack.time_scale import time_scale
from devstack.workflows import interpreter
from devstack.workflows.callbacks import CallbackEndpoints
from devstack.workflows.execution_runtime import ExecutionRuntime
from devstack.workflows.executions import Execution, Executions
from devstack.workflows.http_server import serve_http
from devstack.workflows.pubsub_connector import PubSubConnector
from devstack.workflows.service import generic_handler

NOT_KEPT = ("executions are kept in memory only: they do not survive a restart of the "
            "stand-in (the service's are durable)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devstack.workflows")
    parser.add_argument("--grpc-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--project", required=True)
    parser.add_argument("--location", required=True)
    parser.add_argument("--workflows-dir", type=Path, action="append", default=[])
    parser.add_argument("--pubsub-host")
    parser.add_argument("--time-scale", type=float)
    parser.add_argument("--env", action="append", default=[],
                        help="NAME=VALUE: a user_env_var of every workflow (sys.get_env)")
    return parser.parse_args()


def deploy_all(executions: Executions, folders: list[Path]) -> list[str]:
    """Deploy every *.yaml of the folders (a later folder replaces an id); their ids."""
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            try:
                executions.deploy(path.stem, path.read_text())
            except interpreter.DeployError as error:
                raise interpreter.DeployError(f"{path}: {error}") from error
    return executions.workflow_ids()


def main() -> None:
    """Start the stand-in, print where it is as one JSON line, serve until SIGTERM."""
    args = _arguments()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    scale = args.time_scale if args.time_scale is not None else time_scale()
    callbacks = CallbackEndpoints("")
    user_env = dict(item.split("=", 1) for item in args.env)
    pubsub = PubSubConnector(args.pubsub_host)

    def runtime_for(execution: Execution) -> ExecutionRuntime:
        return ExecutionRuntime(execution, project=args.project, location=args.location,
                                time_scale=scale, callbacks=callbacks, pubsub=pubsub,
                                user_env=user_env)

    executions = Executions(args.project, args.location, runtime_for, callbacks.drop)
    try:
        workflows = deploy_all(executions, args.workflows_dir)
    except interpreter.DeployError as error:
        print(f"cannot deploy {error}", file=sys.stderr, flush=True)
        sys.exit(2)
    http = serve_http(HOST, args.http_port, executions, callbacks)
    callbacks.base_url = f"http://{HOST}:{http.server_port}"
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16),
                         options=[("grpc.so_reuseport", 0)])
    server.add_generic_rpc_handlers((generic_handler(executions),))
    try:
        grpc_port = server.add_insecure_port(f"{HOST}:{args.grpc_port}")
    except RuntimeError:
        grpc_port = 0
    if grpc_port == 0:
        print(f"cannot bind gRPC to {HOST}:{args.grpc_port} (in use?)", file=sys.stderr)
        sys.exit(2)
    server.start()
    print(json.dumps({"host": f"{HOST}:{grpc_port}", "callback_base": callbacks.base_url,
                      "workflows": workflows, "time_scale": scale, "note": NOT_KEPT}), flush=True)
    sys.stdout = sys.stderr  # nothing else goes to the parent's pipe
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop(grace=0.5).wait()
    http.shutdown()


if __name__ == "__main__":
    main()
