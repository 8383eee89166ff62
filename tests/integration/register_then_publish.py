"""Register one customer in this process (commit, then publish): a test kills it mid-publish.

Usage: python -m tests.integration.register_then_publish EMAIL
"""

from __future__ import annotations

import sys

from common import bootstrap
from common.domain.identity import Role
from common.services.registration import NewAccount, register

if __name__ == "__main__":
    register(NewAccount("Kim", sys.argv[1], "Sunny-meadow-42", Role.CUSTOMER),
             bootstrap.unit_of_work, bootstrap.identity())
    print("published", flush=True)
