"""The `fediscience` command as an administrator runs it: real processes on a fresh PostgreSQL database,
metadata from the recorded arXiv server over real HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.system import harness
from tests.system.harness import describe, query, run_cli

pytestmark = pytest.mark.slow

BASE_URL = "http://science.localhost:8123"
TITLE_1707 = "ShortScience.org - Reproducing Intuition"


@pytest.fixture(scope="module")
def env(pg_database: str, recorded_base: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of every command: the module's database, already initialised once."""
    environment = harness.app_env(
        database_url=pg_database,
        instance_path=tmp_path_factory.mktemp("cli-instance"),
        recorded_base=recorded_base,
        base_url=BASE_URL,
    )
    result = run_cli(environment, "init")
    assert result.returncode == 0, describe(result)
    return environment


def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A non-zero exit with each message on stderr, and no Python traceback anywhere."""
    text = describe(result)
    assert result.returncode != 0, text
    for needle in needles:
        assert needle in result.stderr, f"{needle!r} not on stderr:\n{text}"
    assert "Traceback" not in result.stdout + result.stderr, text


def test_init_is_idempotent(env: dict[str, str], pg_database: str) -> None:
    for _ in range(2):
        result = run_cli(env, "init")
        assert result.returncode == 0, describe(result)
        assert "database ready" in result.stdout, describe(result)
        assert pg_database.rsplit("/", 1)[1] in result.stdout, describe(result)
    versions = query(pg_database, "SELECT version_num FROM alembic_version")
    assert len(versions) == 1, versions
    tables = {row[0] for row in query(pg_database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"users", "actors", "papers", "paper_lookups", "summaries", "comments"} <= tables, tables


def test_user_create_refuses_a_duplicate_then_promote(env: dict[str, str], pg_database: str) -> None:
    created = run_cli(env, "user", "create", "alice", "--email", "alice@example.org", "--password", "alice's long password")
    assert created.returncode == 0, describe(created)
    assert "created alice" in created.stdout, describe(created)

    again = run_cli(env, "user", "create", "alice", "--email", "alice2@example.org", "--password", "another long password")
    assert_clean_failure(again, "This username is taken.")
    same_email = run_cli(env, "user", "create", "alicia", "--email", "ALICE@example.org", "--password", "another long password")
    assert_clean_failure(same_email, "An account with this email address exists.")

    rows = query(pg_database, "SELECT email, is_admin FROM users WHERE username_key = 'alice'")
    assert rows == [("alice@example.org", False)]
    assert query(pg_database, "SELECT count(*) FROM users WHERE username_key = 'alicia'") == [(0,)]

    promoted = run_cli(env, "user", "promote", "alice")
    assert promoted.returncode == 0, describe(promoted)
    assert "alice is now an administrator" in promoted.stdout, describe(promoted)
    assert query(pg_database, "SELECT is_admin FROM users WHERE username_key = 'alice'") == [(True,)]

    nobody = run_cli(env, "user", "promote", "nobody")
    assert_clean_failure(nobody, "no user named nobody")


def test_user_create_with_a_bad_email_fails_cleanly(env: dict[str, str], pg_database: str) -> None:
    result = run_cli(env, "user", "create", "bob", "--email", "not-an-email", "--password", "bob's long password")
    assert_clean_failure(result, "Enter a valid email address.")
    assert query(pg_database, "SELECT count(*) FROM users WHERE username_key = 'bob'") == [(0,)]
    assert query(pg_database, "SELECT count(*) FROM actors WHERE username = 'bob'") == [(0,)]


def test_paper_add_prints_the_title_and_the_paper_url(env: dict[str, str], pg_database: str) -> None:
    result = run_cli(env, "paper", "add", "1707.06684")
    assert result.returncode == 0, describe(result)
    lines = result.stdout.strip().splitlines()
    assert lines[0] == TITLE_1707, describe(result)
    assert lines[1].startswith(f"{BASE_URL}/p/"), describe(result)
    public_id = lines[1].rsplit("/", 1)[1]
    rows = query(pg_database, "SELECT title, arxiv_id, metadata_source FROM papers WHERE public_id = :p", p=public_id)
    assert rows == [(TITLE_1707, "1707.06684", "arxiv")]
    authors = query(pg_database, "SELECT count(*) FROM paper_authors pa JOIN papers p ON p.id = pa.paper_id "
                                 "WHERE p.public_id = :p", p=public_id)
    assert authors[0][0] >= 1

    # Adding it again, as a URL this time, finds the same paper instead of storing a second one.
    again = run_cli(env, "paper", "add", "https://arxiv.org/abs/1707.06684v1")
    assert again.returncode == 0, describe(again)
    assert again.stdout.strip().splitlines() == lines, describe(again)
    assert query(pg_database, "SELECT count(*) FROM papers WHERE arxiv_id = '1707.06684'") == [(1,)]


def test_paper_add_of_an_invalid_arxiv_id_stores_nothing(env: dict[str, str], pg_database: str) -> None:
    before = query(pg_database, "SELECT count(*) FROM papers")[0][0]
    result = run_cli(env, "paper", "add", "9999.99999")
    assert_clean_failure(result, "9999.99999", "not a valid arXiv id")
    assert query(pg_database, "SELECT count(*) FROM papers")[0][0] == before
    assert query(pg_database, "SELECT count(*) FROM paper_lookups WHERE value = '9999.99999'") == [(0,)]


def test_paper_add_of_an_id_unknown_at_arxiv_stores_nothing(env: dict[str, str], pg_database: str) -> None:
    before = query(pg_database, "SELECT count(*) FROM papers")[0][0]
    result = run_cli(env, "paper", "add", "1707.99999")
    assert_clean_failure(result, "arXiv has no paper 1707.99999")
    assert query(pg_database, "SELECT count(*) FROM papers")[0][0] == before
    assert query(pg_database, "SELECT count(*) FROM papers WHERE arxiv_id = '1707.99999'") == [(0,)]
    lookups = query(pg_database, "SELECT status, error FROM paper_lookups WHERE value = '1707.99999'")
    assert len(lookups) == 1 and lookups[0][0] == "failed" and "arXiv has no paper" in lookups[0][1], lookups


def test_paper_add_of_garbage_names_the_identifier_problem(env: dict[str, str], pg_database: str) -> None:
    before = query(pg_database, "SELECT count(*) FROM papers")[0][0]
    result = run_cli(env, "paper", "add", "garbage!!")
    assert_clean_failure(result, "garbage!!", "is not a paper identifier we know")
    assert query(pg_database, "SELECT count(*) FROM papers")[0][0] == before


def test_a_short_secret_key_is_refused_with_its_variable_name(
    pg_database: str, recorded_base: str, tmp_path: Path
) -> None:
    environment = harness.app_env(
        database_url=pg_database, instance_path=tmp_path / "instance", recorded_base=recorded_base,
        base_url=BASE_URL, secret_key="12345",
    )
    assert environment["FEDISCIENCE_SECRET_KEY"] == "12345"
    result = run_cli(environment, "init")
    assert_clean_failure(result, "FEDISCIENCE_SECRET_KEY", "at least 16 characters")


def test_a_bad_base_url_is_refused_with_its_variable_name(
    pg_database: str, recorded_base: str, tmp_path: Path
) -> None:
    environment = harness.app_env(
        database_url=pg_database, instance_path=tmp_path / "instance", recorded_base=recorded_base,
        base_url="ftp://example.org/path",
    )
    result = run_cli(environment, "init")
    assert_clean_failure(result, "FEDISCIENCE_BASE_URL")
