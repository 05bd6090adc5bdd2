"""The layering contract (docs/architecture.md), checked over every module's imports.

Layers, lowest first: core -> knowledge -> tools -> assistant -> evals -> the edges (integrations.cli,
integrations.slack). A module may import its own layer and the layers below it, never one above; nothing
imports an edge except the CLI's `slack` command group, which starts the Slack app. The benchmarks
(evals.bench) drive the whole product, edges included, as tests do: they may import anything and nothing
imports them. Every import counts: at module level, inside functions (the CLI's lazy imports), under
`if TYPE_CHECKING:`, relative ones and `importlib.import_module("...")` with a literal name.

ORM rows belong to one layer: only the owner builds queries on them (other layers call its functions).
A row class may still be named under `if TYPE_CHECKING:` to annotate a row its owner handed out. Inside a
package split by job (`PACKAGE_STORES`), only its store module queries rows.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "knowledge", "tools", "assistant", "evals", "integrations")

# Rank of each layer; a module may import ranks up to its own.
RANKS = {"core": 0, "knowledge": 1, "tools": 2, "assistant": 3, "evals": 4, "edge": 5, "harness": 6}
EDGES = ("integrations.cli", "integrations.slack")
HARNESS = ("evals.bench",)
# (importing module prefix, imported edge): the only imports of one edge by another.
EDGE_LAUNCHERS = {("integrations.cli.slack", "integrations.slack")}

# Which layer owns each ORM row of core/models.py (a new row must be given an owner here).
ROW_OWNERS = {
    "Document": "knowledge",
    "Chunk": "knowledge",
    "FlaggedPassage": "knowledge",
    "SentenceVector": "knowledge",
    "PassageRelease": "knowledge",
    "MetaValue": "knowledge",
    "AISystem": "tools",
    "Assessment": "tools",
    "DraftRow": "tools",
    "ReviewTask": "tools",
    "AuditEvent": "tools",
    "GateWaiver": "tools",
    "GateRun": "tools",
    "OutboxMessage": "tools",
    "HandledEvent": "tools",
    "TrainingSession": "tools",
    "TrainingQuestion": "tools",
    "TrainingParticipant": "tools",
    "TrainingAnswer": "tools",
    "ConversationThread": "assistant",
    "ConversationMessage": "assistant",
    "Feedback": "assistant",
    "Escalation": "assistant",
    "ApprovedAnswer": "assistant",
    "PostedMessage": "assistant",
    "EvalRun": "evals",
}
# Inside a package split by job, one module holds the rows: the package's other modules reach them through it.
PACKAGE_STORES = {"tools.inventory": "tools.inventory.store"}


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether it only serves type annotations."""

    path: str
    line: int
    importer: str
    target: str
    type_checking: bool


def module_name(path: Path, root: Path) -> str:
    """'assistant.agent.core' for assistant/agent/core.py, 'assistant.agent' for its __init__.py."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(importer: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module a (possibly relative) `from ... import` names."""
    if level == 0:
        return module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(path: Path, root: Path) -> Iterator[Import]:
    """Every import in the file, wherever it sits in the code."""
    importer = module_name(path, root)
    is_package = path.name == "__init__.py"
    rel = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def visit(node: ast.AST, type_checking: bool) -> Iterator[Import]:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, True)
            for child in node.orelse:
                yield from visit(child, type_checking)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(rel, node.lineno, importer, alias.name, type_checking)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(importer, is_package, node.level, node.module)
            for alias in node.names:
                # `from integrations import cli` imports a module; `from x import Name` a name in x:
                # either way the target's prefix is what decides the layer.
                yield Import(rel, node.lineno, importer, f"{source}.{alias.name}", type_checking)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Import(rel, node.lineno, importer, node.args[0].value, type_checking)
        for inner in ast.iter_child_nodes(node):
            yield from visit(inner, type_checking)

    yield from visit(tree, False)


def layer_of(module: str) -> str | None:
    """The layer a module belongs to, or None for a module outside govassist (stdlib, third party)."""

    def within(prefixes: tuple[str, ...]) -> bool:
        return any(module == p or module.startswith(p + ".") for p in prefixes)

    if within(HARNESS):
        return "harness"
    if within(EDGES) or module == "integrations" or module.startswith("integrations."):
        return "edge"
    top = module.split(".")[0]
    return top if top in RANKS else None


def edge_of(module: str) -> str | None:
    """Which edge a module is part of ('integrations.cli', 'integrations.slack'), if any."""
    return next((e for e in EDGES if module == e or module.startswith(e + ".")), None)


def layering_violations(root: Path) -> list[str]:
    """Imports that break the layering, as 'path:line: importer -> target (why)'."""
    found = []
    for imp in _all_imports(root):
        source, target = layer_of(imp.importer), layer_of(imp.target)
        if source is None or target is None:
            continue
        where = f"{imp.path}:{imp.line}: {imp.importer} -> {imp.target}"
        if RANKS[target] > RANKS[source]:
            found.append(f"{where} ({source} may not import {target})")
            continue
        own_edge, other_edge = edge_of(imp.importer), edge_of(imp.target)
        if own_edge and other_edge and own_edge != other_edge:
            launcher = any(
                (imp.importer == p or imp.importer.startswith(p + ".")) and other_edge == edge
                for p, edge in EDGE_LAUNCHERS
            )
            if not launcher:
                found.append(f"{where} (an edge may not import another edge)")
    return found


def row_access(root: Path) -> list[tuple[str, int, str, str]]:
    """(path, line, row class, importing layer) for every run-time import of an ORM row outside its owner."""
    found = []
    for imp in _all_imports(root):
        if imp.type_checking or not imp.target.startswith("core.models."):
            continue
        row = imp.target.removeprefix("core.models.")
        owner = ROW_OWNERS.get(row)
        source = layer_of(imp.importer)
        if owner is None or source in (None, "core", owner):
            continue
        found.append((imp.path, imp.line, row, source or ""))
    return found


def package_row_access(root: Path) -> list[tuple[str, int, str]]:
    """(path, line, row class) for each run-time row import in a `PACKAGE_STORES` package but its store."""
    found = []
    for imp in _all_imports(root):
        if imp.type_checking or not imp.target.startswith("core.models."):
            continue
        for package, owner in PACKAGE_STORES.items():
            inside = imp.importer == package or imp.importer.startswith(package + ".")
            if inside and imp.importer != owner:
                found.append((imp.path, imp.line, imp.target.removeprefix("core.models.")))
    return found


def orm_rows(root: Path) -> set[str]:
    """The ORM row classes declared in core/models.py (subclasses of its `Base`)."""
    tree = ast.parse((root / "core" / "models.py").read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == "Base" for b in node.bases)
    }


@functools.cache
def _all_imports(root: Path) -> tuple[Import, ...]:
    """Every import of every module of every package under `root` (parsed once per root)."""
    return tuple(
        imp
        for package in PACKAGES
        for path in sorted((root / package).rglob("*.py"))
        for imp in imports_of(path, root)
    )


# --- the contract over the real code ------------------------------------------------------------------


def test_no_layer_imports_a_higher_one_and_no_package_imports_an_edge() -> None:
    assert layering_violations(ROOT) == []


def test_orm_rows_are_queried_only_by_the_layer_that_owns_them() -> None:
    assert row_access(ROOT) == [], "query through the owner's functions (knowledge/store.py, tools/...)"


def test_a_split_package_keeps_its_rows_in_its_store_module() -> None:
    assert package_row_access(ROOT) == [], f"query through {', '.join(PACKAGE_STORES.values())}"


def test_every_orm_row_has_an_owning_layer() -> None:
    assert orm_rows(ROOT) == set(ROW_OWNERS)


def test_the_checker_reads_every_package() -> None:
    modules = {imp.importer for imp in _all_imports(ROOT)}
    expected = ("core.db", "knowledge.store", "tools.inventory.store", "assistant.service", "evals.runner")
    assert set(expected) <= modules
    assert "integrations.cli.app" in modules and "integrations.slack.app" in modules


# --- the checker itself, on synthetic trees -----------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
    (tmp_path / "core" / "models.py").touch()
    return tmp_path


@pytest.mark.parametrize(
    ("rel", "text", "why"),
    [
        ("core/config.py", "import knowledge.store\n", "core may not import knowledge"),
        (
            "knowledge/x.py",
            "def f():\n    from tools.inventory import list_systems\n",
            "knowledge may not import tools",
        ),
        (
            "tools/x.py",
            "if TYPE_CHECKING:\n    from assistant.service import Assistant\n",
            "tools may not import",
        ),
        (
            "assistant/x.py",
            "import importlib\nimportlib.import_module('evals.runner')\n",
            "assistant may not",
        ),
        ("assistant/x.py", "from integrations import cli\n", "assistant may not import edge"),
        ("evals/x.py", "from integrations.slack.app import create_app\n", "evals may not import edge"),
        ("integrations/slack/x.py", "from integrations.cli.context import AppContext\n", "another edge"),
        ("integrations/cli/ask.py", "from integrations.slack import app\n", "another edge"),
        ("integrations/cli/ask.py", "from evals.bench.common import ROOT\n", "edge may not import harness"),
        ("tools/triage/x.py", "from ...assistant import service\n", "tools may not import assistant"),
    ],
)
def test_a_synthetic_violation_is_caught(tmp_path: Path, rel: str, text: str, why: str) -> None:
    root = _tree(tmp_path, {rel: text})
    found = layering_violations(root)
    assert len(found) == 1 and found[0].startswith(f"{rel}:"), found
    assert why in found[0]


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        (
            "assistant/x.py",
            "from core.config import Settings\nfrom knowledge import store\nimport tools.audit\n",
        ),
        ("evals/x.py", "def f():\n    from assistant.service import Assistant\n"),
        ("integrations/cli/eval.py", "def f():\n    from evals.runner import run_eval\n"),
        ("integrations/cli/slack.py", "def f():\n    from integrations.slack.app import create_app\n"),
        ("integrations/slack/app.py", "from . import runtime\nfrom .handlers import register\n"),
        (
            "evals/bench/slack_ack.py",
            "from integrations.slack.app import create_app\nimport integrations.cli\n",
        ),
        ("knowledge/x.py", "import json\nfrom sqlalchemy import select\n"),
    ],
)
def test_allowed_imports_pass(tmp_path: Path, rel: str, text: str) -> None:
    assert layering_violations(_tree(tmp_path, {rel: text})) == []


def test_relative_imports_resolve_against_the_importing_package(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"knowledge/packs/__init__.py": "from .. import store\nfrom ..x import y\n"})
    targets = [imp.target for imp in imports_of(root / "knowledge/packs/__init__.py", root)]
    assert targets == ["knowledge.store", "knowledge.x.y"]


def test_a_row_queried_outside_its_owner_is_caught_but_an_annotation_is_not(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "assistant/x.py": "from core.models import Chunk\n",
            "tools/y.py": "if TYPE_CHECKING:\n    from core.models import Document\n",
            "knowledge/z.py": "from core.models import Chunk, Document\n",
            # Inside a split package only its store module may import rows (its layer owns them all).
            "tools/inventory/store.py": "from core.models import AISystem, Assessment\n",
            "tools/inventory/retriage.py": "from core.models import Assessment\n",
            "tools/inventory/models.py": "if TYPE_CHECKING:\n    from core.models import AISystem\n",
            "tools/tasks.py": "from core.models import Assessment\n",
        },
    )
    assert row_access(root) == [("assistant/x.py", 1, "Chunk", "assistant")]
    assert package_row_access(root) == [("tools/inventory/retriage.py", 1, "Assessment")]
