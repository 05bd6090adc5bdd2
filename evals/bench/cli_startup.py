"""How long `govassist` takes as a user runs it: fresh processes, each starting cold.

    python -m evals.bench.cli_startup [--runs 10] [--home DIR] [--baseline-commit REV | --baseline-tree DIR]

Times `python -c pass` (the floor), `govassist --help`, a cold `ask`, a cold `triage --input` and a cold
`chat` turn, `--runs` times each (after one untimed warm-up run, which also builds the ONNX model cache
on a new machine), and prints the median and p95 of the wall time and of the CPU time (user + system)
each process used: on a shared machine the wall time grows with the load, the CPU time much less.
With `--baseline-commit`, the same commands of that commit (exported into a temporary directory with
`git archive`) run interleaved with this tree's, on the same home, so both see the same machine load;
the load average is printed too, since on a shared machine absolute figures move with it.

The home is built once in a scratch directory as `make demo` builds its own (the sample organisation's
tiering standard, `knowledge load-sample`), unless `--home` names an existing one.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from evals.bench.common import percentile, positive_int
from evals.scratch import ROOT, offline_environment, scratch_home

QUESTION = "Do we have to tell customers they are talking to a chatbot?"
CHAT = "What must providers of high-risk AI systems do?"
PROFILE = "knowledge/samples/systems/cv-screener.yaml"
TARGETS = {"--help": 0.3, "ask": 1.5, "triage --input": 1.5}


def cli_module(tree: Path) -> str:
    """The CLI's module in `tree`: integrations.cli, or assistant.cli in trees from before it moved to the
    edge (so an older commit can be the baseline)."""
    return "integrations.cli" if (tree / "integrations" / "cli").is_dir() else "assistant.cli"


def commands(home: Path, run: int, module: str = "integrations.cli") -> list[tuple[str, list[str]]]:
    """(label, argv after the interpreter) for each timed command, the CLI run as `python -m module`."""
    cli = ["-m", module, "--home", str(home)]
    return [
        ("python -c pass", ["-c", "pass"]),
        ("--help", [*cli, "--help"]),
        ("ask", [*cli, "ask", QUESTION]),
        ("triage --input", [*cli, "triage", "--input", PROFILE, "--no-record"]),
        ("chat turn", [*cli, "chat", "--thread", f"bench-{os.getpid()}-{run}", "--user", "bench", CHAT]),
    ]


class Timing(NamedTuple):
    """One fresh process: wall-clock seconds, and CPU seconds (user + system) it used."""

    wall: float
    cpu: float


def run_once(tree: Path, argv: list[str]) -> Timing:
    """Wall and CPU time of one fresh process of `argv` with `tree` first on the path; fails loudly on an
    error. CPU time is what a quiet machine's wall time comes close to; on a shared machine wall time
    grows with the load, CPU time much less."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], cwd=tree, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
        raise SystemExit(f"{' '.join(argv[:6])} failed in {tree}: {tail[0]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(elapsed, cpu)


def build_home(tree: Path) -> Path:
    """A home like `make demo`'s: the sample tiering standard, packs and sample organisation indexed."""
    home = scratch_home("cli-startup")
    standard = tree / "knowledge" / "samples" / "tiering-standard.yaml"
    (home / "config.toml").write_text(f'tiering_standard = "{standard}"\n', encoding="utf-8")
    start = time.perf_counter()
    run_once(tree, ["-m", cli_module(tree), "--home", str(home), "knowledge", "load-sample"])
    print(f"  built a demo home in {home} ({time.perf_counter() - start:.0f} s)")
    return home


def export_commit(rev: str) -> Path:
    """The tree of commit `rev` in a temporary directory (no worktree, nothing changed in the repository)."""
    target = Path(tempfile.mkdtemp(prefix="govassist-baseline-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], capture_output=True, check=False)
    if archive.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise SystemExit(f"--baseline-commit {rev}: {message[-1] if message else 'git archive failed'}")
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def _figures(values: list[Timing]) -> str:
    wall = [t.wall for t in values]
    cpu = [t.cpu for t in values]
    return (
        f"{statistics.median(wall):6.2f} {percentile(wall, 95):6.2f} s"
        f" | {statistics.median(cpu):5.2f} {percentile(cpu, 95):5.2f} s"
    )


def main() -> None:
    """Print median and p95 per command, for this tree and optionally a baseline commit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=positive_int, default=10, help="Timed runs per command (>= 1).")
    parser.add_argument("--home", type=Path, help="An existing govassist home (default: build one).")
    parser.add_argument("--baseline-commit", metavar="REV", help="Also time this commit, interleaved.")
    parser.add_argument(
        "--baseline-tree", type=Path, metavar="DIR", help="Also time the source tree in DIR (e.g. exported)."
    )
    args, _ = parser.parse_known_args()
    if args.baseline_tree is not None and not (
        (args.baseline_tree / "integrations" / "cli").is_dir()
        or (args.baseline_tree / "assistant" / "cli").is_dir()
    ):
        parser.error(f"--baseline-tree {args.baseline_tree}: not a govassist source tree")
    if args.home is not None and not (args.home / "govassist.db").is_file():
        parser.error(f"--home {args.home}: no govassist.db there (omit --home to build a demo home)")
    offline_environment()
    trees = {"this tree": ROOT}
    if args.baseline_commit:
        trees[args.baseline_commit] = export_commit(args.baseline_commit)
    if args.baseline_tree is not None:
        trees[str(args.baseline_tree)] = args.baseline_tree.resolve()
    try:
        print(f"CLI start-up, fresh processes, {args.runs} runs each (load average {_load()})")
        home = args.home or build_home(ROOT)
        timings: dict[tuple[str, str], list[Timing]] = {}
        for run in range(args.runs + 1):
            for name, tree in trees.items():
                for label, argv in commands(home, run, cli_module(tree)):
                    elapsed = run_once(tree, argv)
                    if run:  # run 0 warms the page cache and builds the model cache
                        timings.setdefault((name, label), []).append(elapsed)
            print(f"  run {run}/{args.runs} done (load {_load()})", file=sys.stderr, flush=True)
        header = "".join(f"  {name[:34]:>34}" for name in trees)
        units = "".join(f"  {'wall median  p95 | CPU median  p95':>34}" for _ in trees)
        print(f"  {'command':<16}{header}  target (wall)")
        print(f"  {'':<16}{units}")
        for label, _ in commands(home, 0):
            cells = "".join(f"  {_figures(timings[name, label]):>34}" for name in trees)
            target = f"<= {TARGETS[label]} s" if label in TARGETS else ""
            print(f"  {label:<16}{cells}  {target}")
        print(f"  load average at the end: {_load()} ({os.cpu_count()} CPUs)")
    finally:
        for name, tree in trees.items():
            if name == args.baseline_commit:
                shutil.rmtree(tree, ignore_errors=True)


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
