"""Without a database and answers, a simulation plays the plan's fresh ledger in memory: it
opens no database, imports no SQLAlchemy, and sends exactly what the same year played on a
database sends."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from plan_data import default_plan_path
from scheduler.settings import load_settings
from simulate.engine import simulate
from simulate.on_database import simulate_on_database

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
YEAR = (date(2022, 1, 1), date(2022, 12, 31))
# Run `duban simulate` in this interpreter and print the top-level modules it loaded.
LOADED_AFTER = """
import json, sys
from cli.main import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


# The seed has deadlines, periods (上半年) and ongoing work (monthly check-ins); the fixture
# has a monthly series (每月28日前) and a milestone waiting for its event (批复之日起).
@pytest.mark.parametrize(
    "plan",
    [default_plan_path(), FIXTURES / "monthly-and-event-2022.txt"],
    ids=["seed", "monthly-and-event"],
)
async def test_the_plan_in_memory_sends_what_a_database_sends(plan: Path) -> None:
    settings = load_settings()
    in_memory = [m.to_json() for m in await simulate(plan, *YEAR, settings)]
    on_database = [
        m.to_json() for m in await simulate_on_database(plan, *YEAR, settings, (), None)
    ]
    assert in_memory == on_database
    kinds = {(m["kind"], i["kind"]) for m in in_memory for i in m["items"]}
    assert {("prompt", "reminder"), ("prompt", "overdue"), ("escalation", "overdue")} <= kinds
    assert any(m["kind"] == "digest" for m in in_memory)


def test_a_simulation_without_a_database_imports_no_sqlalchemy() -> None:
    done = subprocess.run(
        [
            sys.executable, "-c", LOADED_AFTER,
            "simulate", "--from", "2022-06-20", "--to", "2022-06-24", "--json",
        ],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded["status"] == 0
    assert [json.loads(line)["kind"] for line in done.stdout.splitlines()].count("prompt") > 0
    top = {name.split(".")[0] for name in loaded["modules"]}
    assert not top & {"sqlalchemy", "aiosqlite", "asyncpg", "alembic", "greenlet"}
    assert not {"storage.database", "core.runtime", "simulate.on_database"} & set(
        loaded["modules"]
    )
