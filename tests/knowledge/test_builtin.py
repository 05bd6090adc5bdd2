"""Built-in packs are indexed on first use and re-indexed, pack by pack, when they change."""

from __future__ import annotations

import shutil
from pathlib import Path

from knowledge.access import Audience
from knowledge.builtin import ensure_builtin_knowledge, load_sample_organisation
from knowledge.factory import open_index
from knowledge.packs import DEFAULT_ROOT, load_packs
from knowledge.retrieval import search


def test_packs_indexed_once_then_only_what_changed(make_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "packs"
    shutil.copytree(DEFAULT_ROOT, root)
    shipped = sorted(p.regime_id for p in load_packs(root))
    index = open_index(make_settings())
    assert sorted(ensure_builtin_knowledge(index, packs_root=root)) == shipped
    assert ensure_builtin_knowledge(index, packs_root=root) == []
    status = {r.key: r for r in index.status()}
    assert set(status) == {f"pack:{rid}" for rid in shipped}
    assert all(r.origin == "pack" and r.visibility == "public" and r.as_of for r in status.values())

    # An upgrade changes one pack: only that pack is re-indexed, and searches see the new text.
    pack_file = root / "eu-ai-act" / "transparency.yaml"
    pack_file.write_text(pack_file.read_text().replace("reasonably well-informed", "zyxwv-informed", 1))
    assert ensure_builtin_knowledge(index, packs_root=root) == ["eu-ai-act"]
    hits = search(index, "zyxwv-informed", audience=Audience(public_only=True), k=3)
    assert hits and hits[0].source_id == "eu-ai-act"

    # A pack that is no longer shipped leaves the index.
    if len(shipped) > 1:
        gone = next(r for r in shipped if r != "eu-ai-act")
        shutil.rmtree(root / gone)
        ensure_builtin_knowledge(index, packs_root=root)
        assert f"pack:{gone}" not in {r.key for r in index.status()}


def test_sample_organisation_loads_on_request_only(make_settings) -> None:  # type: ignore[no-untyped-def]
    index = open_index(make_settings())
    assert index.status() == []
    report = load_sample_organisation(index)
    assert not report.failures
    kinds = {r.source_id: r.kind for r in index.status()}
    assert kinds["past-reviews"] == "review"
    assert kinds["genai-acceptable-use-policy"] == "policy"
    assert "tiering-standard" not in kinds and "readme" not in kinds
