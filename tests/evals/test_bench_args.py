"""Benchmarks validate their arguments like commands do: a clear one-line error, not a traceback."""

from __future__ import annotations

import sys
from types import ModuleType

import pytest

from evals.bench import ask_latency, cli_startup


@pytest.mark.parametrize(
    ("module", "argv", "message"),
    [
        (ask_latency, ["--cold", "0"], "argument --cold: 0 must be at least 1"),
        (ask_latency, ["--sizes", "20000,x"], "argument --sizes: 'x' is not a whole number"),
        (ask_latency, ["--questions", "-3"], "argument --questions: -3 must be at least 1"),
        (cli_startup, ["--runs", "0"], "argument --runs: 0 must be at least 1"),
    ],
)
def test_bad_benchmark_arguments_get_a_one_line_error(
    module: ModuleType,
    argv: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", ["bench", *argv])
    with pytest.raises(SystemExit) as stopped:
        module.main()
    assert stopped.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].endswith(message), errors
