"""Cloud Workflows stand-in: the Executions API over gRPC, callbacks, the Pub/Sub connector.

Google ships no Workflows emulator. This one deploys `workflows/*.yaml` with our interpreter
(devstack/workflows/interpreter.py) and runs in its own virtual environment as a child process
(start_workflows). Executions are kept in memory: they do not survive a restart of the
stand-in (the service's are durable).
"""

from devstack.workflows.process import DeployRefused, LocalWorkflows, start_workflows

__all__ = ["DeployRefused", "LocalWorkflows", "start_workflows"]
