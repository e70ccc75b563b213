"""A lean process: CLI start-up, and `duban run`'s start to first getUpdates and idle memory.

Run: .venv/bin/python benchmarks/bench_start.py [--quick] [--runs N]

Every figure is a fresh child process, timed from spawn: `duban plan show`, `duban --help` and
`duban simulate --help` beside a bare `python -c pass`; `duban run` on a ledger that already
exists and is at the newest migration (the everyday restart), timed until the local emulator
sees its first getUpdates, and its resident memory (VmRSS) after it has sat idle a few
seconds, beside a bare PTB echo bot started the same way against the same emulator. Each is
the median of several runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, Figure, Timing, print_figures
from emulator.server import Emulator

DUBAN = Path(sys.executable).with_name("duban")
IDLE_S = 3.0
PACKAGES = [
    "vocabulary", "plan_data", "storage", "reports", "scheduler", "core", "bot", "simulate",
    "web", "service", "cli", "emulator",
]  # fmt: skip
ECHO_BOT = """
import sys
from telegram.ext import Application, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text or "")

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0, timeout=1)
"""


def cli_seconds(args: list[str], runs: int, env: dict[str, str]) -> tuple[Timing, Timing]:
    """Return the wall time and the CPU time (user + system) of a command, spawn to exit,
    over `runs` runs. On a shared machine the CPU time wanders much less than the wall's."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)  # noqa: S603
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return Timing.of(walls), Timing.of(cpus)


def free_port() -> int:
    """Return a TCP port free right now on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Return a process's resident memory now (VmRSS), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a live process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def start_once(
    emu: Emulator, args: list[str], env: dict[str, str]
) -> tuple[float, float, float]:
    """Start one bot process; return (seconds to its first getUpdates, the CPU seconds it
    used by then, idle RSS in MB). On a shared machine the CPU time wanders less."""
    state = emu.state
    before = state.poll_generation  # counts getUpdates as they arrive (calls, as they end)
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *args, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if await state.wait_for(lambda: state.poll_generation > before or None, 60) is None:
            raise TimeoutError(f"no getUpdates from {args[0]} within a minute")
        first = time.perf_counter() - started
        cpu = cpu_seconds(process.pid)
        await asyncio.sleep(IDLE_S)
        return first, cpu, rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(20):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


async def bot_starts(runs: int, db_url: str, env: dict[str, str]) -> dict[str, list[float]]:
    """Start duban's bot and the bare echo bot `runs` times each, alternating."""
    found: dict[str, list[float]] = {"duban start": [], "duban rss": [], "echo start": []}
    found["echo rss"] = []
    found["duban start cpu"], found["echo start cpu"] = [], []
    async with Emulator.running() as emu:
        duban_env = {
            **env,
            "TELEGRAM_BOT_TOKEN": emu.token,
            "TELEGRAM_API_BASE_URL": emu.base_url,
            "DUBAN_DATABASE_URL": db_url,
            "DUBAN_HTTP_PORT": str(free_port()),
        }
        echo = [sys.executable, "-c", ECHO_BOT, emu.token, emu.base_url]
        for _ in range(runs):
            first, cpu, rss = await start_once(emu, [str(DUBAN), "run"], duban_env)
            found["duban start"].append(first)
            found["duban start cpu"].append(cpu)
            found["duban rss"].append(rss)
            first, cpu, rss = await start_once(emu, echo, env)
            found["echo start"].append(first)
            found["echo start cpu"].append(cpu)
            found["echo rss"].append(rss)
    return found


def measure(quick: bool, runs: int | None = None) -> list[Figure]:
    """Return the start-up figures, each beside its bare reference."""
    runs = runs or (3 if quick else 5)
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    # As installed: the project's bytecode compiled (__pycache__ is git-ignored), so the
    # figures measure start-up, not the compiler, even where PYTHONDONTWRITEBYTECODE is set.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "compileall", "-q", *PACKAGES], check=True, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    bare, bare_cpu = cli_seconds([sys.executable, "-c", "pass"], runs, env)
    figures = []
    for args in (["plan", "show"], ["--help"], ["simulate", "--help"]):
        took, cpu = cli_seconds([str(DUBAN), *args], runs, env)
        name = f"CLI start-up, duban {' '.join(args)}"
        figures += [
            _beside(name, took, bare, "s", 0.5, "python -c pass", runs),
            _beside(f"{name} (CPU)", cpu, bare_cpu, "s", 0.5, "python -c pass", runs),
        ]
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'start.db'}"
        # The everyday restart: the ledger exists, migrated and with its plan.
        subprocess.run(  # noqa: S603
            [str(DUBAN), "plan", "import"], check=True, env={**env, "DUBAN_DATABASE_URL": db_url},
            cwd=ROOT, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        starts = asyncio.run(bot_starts(runs, db_url, env))
    found = {name: Timing.of(values) for name, values in starts.items()}
    echo = "bare PTB echo bot"
    first = "duban run, start to first getUpdates"
    idle = f"duban run, idle RSS ({IDLE_S:g} s after first getUpdates)"
    figures += [
        _beside(f"{first} (ledger at head)", found["duban start"], found["echo start"], "s",
                1.0, echo, runs),
        _beside(f"{first} (CPU)", found["duban start cpu"], found["echo start cpu"], "s",
                1.0, echo, runs),
        _beside(idle, found["duban rss"], found["echo rss"], "MB", 120, echo, runs),
    ]  # fmt: skip
    return figures


def _beside(
    name: str, took: Timing, bare: Timing, unit: str, target: float, reference: str, runs: int
) -> Figure:
    """Return a figure (its median and spread over `runs`) beside its reference's median."""
    return Figure(
        name,
        took.median,
        unit,
        target=target,
        reference=reference,
        reference_value=bare.median,
        spread=(took.low, took.high),
        extra={"runs": runs},
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="3 runs of each instead of 5")
    parser.add_argument("--runs", type=int, help="runs of each (median reported)")
    args = parser.parse_args()
    print_figures(measure(args.quick, args.runs))
