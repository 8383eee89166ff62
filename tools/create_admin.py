"""Create an admin in Firebase Auth and the database: `python tools/create_admin.py EMAIL NAME`.

The password is read from the terminal (never from the command line). Uses the same
registration use case as customers, with the email marked verified.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import bootstrap  # noqa: E402
from common.domain.identity import Role, password_problems  # noqa: E402
from common.services.registration import NewAccount, register  # noqa: E402


def main() -> None:
    email, name = sys.argv[1].lower(), sys.argv[2]
    password = getpass.getpass("Password for the new admin: ")
    problems = password_problems(password, email)
    if problems:
        sys.exit("password " + "; ".join(problems))
    account = register(NewAccount(name, email, password, Role.ADMIN), bootstrap.unit_of_work,
                       bootstrap.identity(), email_verified=True)
    print(f"admin {account.id} created")


if __name__ == "__main__":
    main()
