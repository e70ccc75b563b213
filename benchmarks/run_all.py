"""Run every benchmark and write benchmarks/results.json: each figure beside its reference.

Run: .venv/bin/python benchmarks/run_all.py [--quick] [--only reports,import] [--out FILE]
(`make bench`, `make bench-quick`).

Each `benchmarks/bench_*.py` exposes `measure(quick: bool) -> list[Figure]`; each runs in
its own interpreter (peak memory is per process, and one benchmark's leftovers cannot slow
the next). A figure carries its value, unit and target, the reference measured in the same
run on the same machine (a bare echo bot, a raw SQL query, a pure loop) and their ratio:
on a busy shared machine absolute numbers wander, ratios much less. --quick takes smaller
sizes and fewer repeats and finishes in about two minutes; the full run takes a while (a
million-entry ledger on two databases, writers compared on 200,000 rows).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, Figure, print_figures, run_child

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "results.json"


def modules() -> list[str]:
    """Return the benchmark modules' short names (`bench_reports.py` → `reports`)."""
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def run_one(name: str, quick: bool) -> dict[str, Any]:
    """Import one benchmark in this process and return its figures as JSON values."""
    module = importlib.import_module(f"benchmarks.bench_{name}")
    if not hasattr(module, "measure"):
        return {"figures": [], "skipped": f"no measure(quick) yet: run bench_{name}.py alone"}
    figures: list[Figure] = module.measure(quick)
    return {"figures": [f.as_json() for f in figures]}


def run_all(names: list[str], quick: bool) -> dict[str, Any]:
    """Run each benchmark in a fresh interpreter; return the results document."""
    results: dict[str, Any] = {}
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        args = ["--module", name] + (["--quick"] if quick else [])
        skipped = None
        try:
            answer = run_child(Path(__file__), *args, timeout=3600)
            figures, skipped, error = answer["figures"], answer.get("skipped"), None
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            figures, error = [], str(exc)
            print(f"   failed: {str(exc).splitlines()[0]}", flush=True)
        if skipped:
            print(f"   skipped: {skipped}", flush=True)
        seconds = round(time.perf_counter() - started, 1)
        results[name] = {
            "seconds": seconds,
            "figures": figures,
            "error": error,
            "skipped": skipped,
        }
        print_figures([_figure(f) for f in figures])
        print(f"   ({seconds} s)", flush=True)
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
        },
        "benchmarks": results,
    }


def _figure(data: dict[str, Any]) -> Figure:
    """Rebuild a Figure from its JSON (for printing the table)."""
    value = data["value"]
    spread = data.get("spread")
    return Figure(
        data["name"],
        float("nan") if value is None else value,
        data["unit"],
        target=data["target"],
        higher_is_better=data["target_is"] == "min",
        reference=data["reference"],
        reference_value=data["reference_value"],
        spread=None if spread is None else (spread[0], spread[1]),
        note=data.get("note", ""),
    )


def summary(document: dict[str, Any]) -> tuple[int, int, int]:
    """Return how many figures met their target, missed it, and have none."""
    met = missed = untargeted = 0
    for result in document["benchmarks"].values():
        for figure in result["figures"]:
            if figure["met"] is None:
                untargeted += 1
            elif figure["met"]:
                met += 1
            else:
                missed += 1
    return met, missed, untargeted


def main() -> int:
    """Parse options, run, write the JSON and say how the targets fared."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, about two minutes")
    parser.add_argument("--only", help="comma-separated names, e.g. reports,import")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--module", help=argparse.SUPPRESS)  # child: run one, print JSON
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.module:
        try:
            print(json.dumps(run_one(args.module, args.quick)))
        except Exception:
            traceback.print_exc()
            return 1
        return 0
    names = args.only.split(",") if args.only else modules()
    unknown = sorted(set(names) - set(modules()))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)} (have: {', '.join(modules())})")
    started = time.perf_counter()
    document = run_all(names, args.quick)
    document["seconds"] = round(time.perf_counter() - started, 1)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    met, missed, untargeted = summary(document)
    failed = [n for n, r in document["benchmarks"].items() if r["error"]]
    skipped = [n for n, r in document["benchmarks"].items() if r["skipped"]]
    print(
        f"\n{met} targets met, {missed} missed, {untargeted} figures without a target; "
        f"{document['seconds']} s; wrote {args.out}"
        + (f"; not converted yet: {', '.join(skipped)}" if skipped else "")
        + (f"; FAILED: {', '.join(failed)}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
