"""SQL for the least-privilege roles the migrations make: create, grant exactly, drop.

Since 0007 every migration that adds a function's role builds its SQL here, so that a role
is always made the same way: NOLOGIN if it does not exist yet, then nothing but what its
grants name (every earlier privilege on tables and sequences revoked first).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def create_roles(roles: Iterable[str]) -> str:
    """Create each role (NOLOGIN) unless it exists."""
    names = ", ".join(f"'{role}'" for role in roles)
    return f"""
DO $$ DECLARE name text; BEGIN
    FOREACH name IN ARRAY ARRAY[{names}] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
END $$;
"""


def grant_exactly(role: str, tables: Mapping[str, str], sequences: Iterable[str] = ()) -> str:
    """Revoke everything the role holds on tables and sequences, then grant `tables`
    ({table: "SELECT, UPDATE (col, …)"}) and USAGE on `sequences`."""
    lines = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};",
             f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};"]
    lines += [f"GRANT {privileges} ON {table} TO {role};" for table, privileges in tables.items()]
    lines += [f"GRANT USAGE ON SEQUENCE {sequence} TO {role};" for sequence in sequences]
    return "\n".join(lines)


def drop_roles(roles: Iterable[str]) -> str:
    """Revoke and drop each role; one another database still grants to is kept (a notice)."""
    return "\n".join(f"""
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role};
DO $$ BEGIN
    DROP ROLE {role};
EXCEPTION WHEN dependent_objects_still_exist THEN
    RAISE NOTICE '{role} kept: another database still grants it privileges';
END $$;""" for role in roles)
