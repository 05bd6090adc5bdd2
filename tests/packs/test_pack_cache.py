"""The built-in packs are parsed once per process and cached between processes: the cache gives the very
packs a parse gives, a damaged cache file is rebuilt, and packs outside the built-in root are never cached."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from knowledge.packs import DEFAULT_ROOT, load_pack, load_packs, loader


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty model cache, and no packs in this process's memory."""
    directory = tmp_path / "models"
    monkeypatch.setenv("GOVASSIST_MODEL_CACHE", str(directory))
    monkeypatch.setattr(loader, "_parsed", {})
    return directory


def _parsed_afresh() -> list:  # type: ignore[type-arg]
    return [load_pack(directory) for directory in sorted(p.parent for p in DEFAULT_ROOT.glob("*/pack.yaml"))]


def test_cached_packs_are_the_parsed_packs(cache_dir: Path) -> None:
    first = load_packs()
    files = list(cache_dir.glob("packs-*.pickle"))
    assert len(files) == 1
    loader._parsed.clear()  # the next call reads the file, not this process's memory
    from_file = load_packs()
    assert from_file[0] is not first[0] and from_file == first == _parsed_afresh()
    assert [p.regime_id for p in from_file] == sorted(p.regime_id for p in from_file)
    # The record index (a private attribute) survives the round trip.
    pack = next(p for p in from_file if p.regime_id == "eu-ai-act")
    assert pack.has_record(pack.records[0].citation_id)


def test_the_process_keeps_one_copy_and_each_call_gets_its_own_list(cache_dir: Path) -> None:
    first, second = load_packs(), load_packs()
    assert first == second and first is not second
    assert all(a is b for a, b in zip(first, second, strict=True))


def test_a_damaged_cache_file_is_rebuilt(cache_dir: Path) -> None:
    expected = load_packs()
    (cached,) = cache_dir.glob("packs-*.pickle")
    cached.write_bytes(b"not a pickle")
    loader._parsed.clear()
    assert load_packs() == expected
    loader._parsed.clear()
    assert cached.read_bytes() != b"not a pickle" and load_packs() == expected


def test_an_unwritable_cache_only_costs_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("GOVASSIST_MODEL_CACHE", str(blocker / "models"))
    monkeypatch.setattr(loader, "_parsed", {})
    assert load_packs() == _parsed_afresh()


def test_packs_elsewhere_are_parsed_every_time_and_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "packs"
    shutil.copytree(DEFAULT_ROOT / "gdpr", root / "gdpr")
    first, second = load_packs(root), load_packs(root)
    assert [p.regime_id for p in first] == ["gdpr"] and first == second
    assert first[0] is not second[0]
    assert not cache_dir.exists() or not list(cache_dir.glob("packs-*.pickle"))


def test_other_versions_caches_are_kept_but_only_the_newest(cache_dir: Path) -> None:
    # Two checkouts or installations on one machine each keep their cache: deleting the other's on every
    # write made each of them parse the packs on every command.
    cache_dir.mkdir(parents=True)
    others = [cache_dir / f"packs-{n:032x}.pickle" for n in range(loader.PACK_CACHES_KEPT + 1)]
    for age, path in enumerate(others):  # others[0] is the newest
        path.write_bytes(b"another version's packs")
        os.utime(path, ns=(10**18 - age * 10**9, 10**18 - age * 10**9))
    load_packs()
    kept = sorted(p.name for p in cache_dir.glob("packs-*.pickle"))
    ours = [name for name in kept if name not in {p.name for p in others}]
    assert len(ours) == 1
    # Ours (just written) and the newest others, PACK_CACHES_KEPT in all.
    assert sorted(kept) == sorted(ours + [p.name for p in others[: loader.PACK_CACHES_KEPT - 1]])
