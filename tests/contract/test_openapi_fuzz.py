"""The OpenAPI document holds: schemathesis fuzzes every operation of /openapi.json with
every check, anonymously and signed in as each role, and finds nothing.

Bounded and reproducible: a fixed seed, a fixed number of examples per operation, no
example database and a fresh schemathesis cache (the run's own folder). The operations
whose 4xx to schema-valid input JSON Schema cannot express are listed, each with its
reason, in schemathesis.toml at the repository root; this test adds only the sign-in.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, unique_email
from tests.e2e.client import CHECKLIST, PASSWORD, Api, User

SEED = 20270107
EXAMPLES_PER_OPERATION = 25
RUN_LIMIT_S = 150
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")


def _admin(api: Api) -> User:
    """Admins are made with the use case, as an operator would (tests/e2e/conftest.py)."""
    from common import bootstrap
    from common.domain.identity import Role
    from common.services.registration import NewAccount, register

    email = unique_email("fuzz-admin")
    account = register(NewAccount("Fuzzing admin", email, PASSWORD, Role.ADMIN),
                       bootstrap.unit_of_work, bootstrap.identity(), email_verified=True)
    return api.login(User(account.id, email, PASSWORD))


def _verified_vendor(api: Api) -> User:
    vendor = api.register("vendor", email=unique_email("fuzz-vendor"))
    response = api.post(f"/v1/admin/vendors/{vendor.id}:verify", headers=_admin(api).auth,
                        json={"checklist": CHECKLIST})
    assert response.status_code == 200, response.text
    return vendor


SIGN_IN = {
    "anonymous": lambda api: None,
    "customer": lambda api: api.register("customer", email=unique_email("fuzz-customer")),
    "vendor": _verified_vendor,
    "admin": _admin,
}


def _config(folder: Path, user: User | None) -> Path:
    """The project's schemathesis.toml, plus the ID token for the `firebase` scheme: given
    as the scheme's auth (not a header on every request), schemathesis also sends each
    secured operation without it and expects 401."""
    config = (ROOT / "schemathesis.toml").read_text()
    if user is not None:
        config += f'\n[auth.openapi.firebase]\nbearer = "{user.id_token}"\n'
    path = folder / "schemathesis.toml"
    path.write_text(config)
    return path


# Admin last: its blocks reach only customers and vendors (never an admin, never itself:
# domain.identity.check_blockable), and by then their runs are over.
@pytest.mark.parametrize("role", list(SIGN_IN))
def test_the_api_keeps_its_openapi_contract(stack, mail, tmp_path, role):
    # Given a fresh account of this role, so no earlier block or rate limit stands in the way
    user = SIGN_IN[role](Api(stack.base_url, mail))
    # When schemathesis runs every check against every operation
    began = time.monotonic()
    run = subprocess.run(
        [str(SCHEMATHESIS), "--no-color", "--config-file", str(_config(tmp_path, user)),
         "run", f"{stack.base_url}/openapi.json", "--checks", "all", "--seed", str(SEED),
         "--max-examples", str(EXAMPLES_PER_OPERATION), "--workers", "1",
         "--generation-database", "none", "--request-timeout", "30"],
        cwd=tmp_path, env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
        capture_output=True, text=True, timeout=RUN_LIMIT_S)
    # Then it finds no failure (its output names the operation, the check and a curl)
    counts = [line.strip() for line in run.stdout.splitlines() if " generated, " in line]
    print(f"{role}: {time.monotonic() - began:.0f} s, {counts[-1] if counts else 'no count'}")
    assert run.returncode == 0, f"{role} run:\n{run.stdout[-30000:]}{run.stderr[-5000:]}"
