"""Read pack directories from disk and validate them into `Pack`s, naming file and field on error.

Layout: `<root>/<regime-id>/pack.yaml` (the manifest), optional `amendments.yaml`
(`amendments: [...]`), and any number of record files (`records: [...]`) in YAML or JSON.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
import threading
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml
from pydantic import BaseModel, ValidationError

from core.yaml_io import safe_load
from knowledge.packs.amendments import AmendmentStatus
from knowledge.packs.schema import Amendment, Pack, PackManifest, PackRecord, check_pack
from knowledge.sections import ParseError

DEFAULT_ROOT = Path(__file__).resolve().parent / "data"
MANIFEST_FILE = "pack.yaml"
AMENDMENTS_FILE = "amendments.yaml"
PACK_SUFFIXES = (".yaml", ".yml", ".json")

ModelT = TypeVar("ModelT", bound=BaseModel)


class PackError(ParseError):
    """A pack file is malformed or inconsistent; the message names the file and the field."""


def load_packs(root: Path | None = None) -> list[Pack]:
    """Load and validate every pack under `root` (default: the built-in packs), sorted by regime id.

    The built-in packs are parsed once per process and kept between processes in the model cache (see
    `_builtin_packs`); a list of the same (frozen) Pack objects is returned on every call.

    Raises PackError naming the file and field of the first file that does not validate.
    """
    base = _root(root)
    if base.resolve() == DEFAULT_ROOT:
        return list(_builtin_packs(base))
    # A manifest's id must equal its directory name, so regime ids cannot clash.
    return [load_pack(directory) for directory in _pack_dirs(base)]


def load_pack(directory: Path) -> Pack:
    """Load one pack directory: manifest, record files and amendments, checked as a whole."""
    manifest_path = directory / MANIFEST_FILE
    manifest = _validate(PackManifest, _read_mapping(manifest_path), manifest_path, "")
    if manifest.id != directory.name:
        raise PackError(
            f"{manifest_path}: id: '{manifest.id}' must match the directory name '{directory.name}'"
        )

    origin: dict[str, Path] = {}
    records: list[PackRecord] = []
    for path in _record_files(directory):
        for record in _read_records(path, manifest):
            if record.citation_id in origin:
                raise PackError(
                    f"{path}: citation_id: duplicate '{record.citation_id}', "
                    f"already defined in {origin[record.citation_id]}"
                )
            origin[record.citation_id] = path
            records.append(record)

    amendments: list[Amendment] = []
    amendments_path = directory / AMENDMENTS_FILE
    if amendments_path.exists():
        amendments = _read_amendments(amendments_path, manifest)
        for amendment in amendments:
            for record in amendment.new_records:
                if record.citation_id in origin:
                    raise PackError(
                        f"{amendments_path}: amendments[{amendment.id}].new_records: "
                        f"duplicate '{record.citation_id}', already defined in "
                        f"{origin[record.citation_id]}"
                    )
                origin[record.citation_id] = amendments_path

    for issue in check_pack(manifest.id, manifest.as_of, records, amendments):
        # Amendment problems belong to amendments.yaml; record problems to the record's own file.
        if issue.field.startswith("amendments"):
            where = amendments_path
        else:
            where = origin.get(issue.citation_id or "", directory)
        subject = f" ({issue.citation_id})" if issue.citation_id else ""
        raise PackError(f"{where}:{subject} {issue.field}: {issue.message}")

    adopted = [
        record.model_copy(update={"added_by": amendment.id})
        for amendment in amendments
        if amendment.status_on(None) is AmendmentStatus.ADOPTED
        for record in amendment.new_records
    ]
    try:
        return Pack(
            regime_id=manifest.id,
            title=manifest.title,
            version=manifest.version,
            as_of=manifest.as_of,
            as_of_note=manifest.as_of_note,
            source_reference=manifest.source_reference,
            source_url=manifest.source_url,
            entered_into_force=manifest.entered_into_force,
            records=records + adopted,
            amendments=amendments,
        )
    except ValidationError as exc:
        raise PackError(f"{directory}: {_describe(exc)}") from exc


def packs_fingerprint(root: Path | None = None) -> str:
    """A SHA-256 over the names and bytes of every pack file under `root`, to detect changes."""
    base = _root(root)
    return _fingerprint(base, _pack_files(base))


def _pack_files(base: Path) -> list[Path]:
    return sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in PACK_SUFFIXES)


def _fingerprint(base: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(base).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


# The built-in packs of this process, by the files' names, sizes and modification times: the answer plan,
# the question analysis and the triage each read them, and parsing them costs ~0.2 s of CPU each time.
_parsed: dict[tuple[tuple[str, int, int], ...], tuple[Pack, ...]] = {}
_parsed_lock = threading.Lock()
# Pack caches kept in the model cache directory (one per version of the packs and their code).
PACK_CACHES_KEPT = 4
# Modules whose classes a cached pack is made of: a change to any of them invalidates the cache.
_PACK_MODULES = ("knowledge.packs.loader", "knowledge.packs.schema", "knowledge.packs.amendments",
                 "knowledge.packs.provenance", "knowledge.sections")  # fmt: skip


def _builtin_packs(base: Path) -> tuple[Pack, ...]:
    """The built-in packs: from this process's memory, else from the disk cache, else parsed and validated
    (and then written to the disk cache). A cold `govassist ask` reads them in ~0.03 s instead of ~0.2 s."""
    files = _pack_files(base)
    stats = [path.stat() for path in files]
    signature = tuple(
        (path.relative_to(base).as_posix(), stat.st_size, stat.st_mtime_ns)
        for path, stat in zip(files, stats, strict=True)
    )
    with _parsed_lock:
        packs = _parsed.get(signature)
        if packs is None:
            packs = _cached_packs(base, files)
            _parsed.clear()
            _parsed[signature] = packs
        return packs


def _cached_packs(base: Path, files: list[Path]) -> tuple[Pack, ...]:
    """The packs from the pickle cache named by the pack files' contents and the pack code, or parsed and
    cached. The cache only saves time: a missing, unreadable or unwritable one means parsing as before."""
    from core.cache import model_cache_dir, write_atomically

    digest = hashlib.sha256(_fingerprint(base, files).encode())
    digest.update(f"{sys.version_info[:2]} pydantic {pydantic.VERSION}".encode())
    for name in _PACK_MODULES:
        digest.update(Path(sys.modules[name].__file__ or name).read_bytes())
    cache = model_cache_dir() / f"packs-{digest.hexdigest()[:32]}.pickle"
    try:
        with cache.open("rb") as fh:
            cached = pickle.load(fh)
        if isinstance(cached, tuple) and all(isinstance(pack, Pack) for pack in cached):
            return cached
    except Exception:  # a torn, stale or foreign cache file is rebuilt, never trusted
        pass
    packs = tuple(load_pack(directory) for directory in _pack_dirs(base))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(cache, pickle.dumps(packs, protocol=pickle.HIGHEST_PROTOCOL))
        _drop_old_caches(cache.parent)
    except OSError:
        pass  # a read-only cache (a container's image) only costs the parse
    return packs


def _drop_old_caches(directory: Path) -> None:
    """Delete all but the PACK_CACHES_KEPT newest pack caches. Not only the newest: two installations or
    checkouts on one machine (a new version beside the old, two branches) each have their own cache, and
    deleting the other's on every write made each of them parse the packs on every command."""
    caches = []
    for path in directory.glob("packs-*.pickle"):
        with contextlib.suppress(OSError):
            caches.append((path.stat().st_mtime_ns, path))
    for _, old in sorted(caches, reverse=True)[PACK_CACHES_KEPT:]:
        old.unlink(missing_ok=True)


def _root(root: Path | None) -> Path:
    base = Path(root) if root is not None else DEFAULT_ROOT
    if not base.is_dir():
        raise PackError(f"{base}: pack root is not a directory")
    return base


def _pack_dirs(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob(f"*/{MANIFEST_FILE}"))


def _record_files(directory: Path) -> list[Path]:
    skip = {MANIFEST_FILE, AMENDMENTS_FILE}
    return sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix in PACK_SUFFIXES and p.name not in skip
    )


def _read_mapping(path: Path) -> dict[str, Any]:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML/JSON: {exc}") from exc
    except OSError as exc:
        raise PackError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise PackError(f"{path}: the top level must be a mapping")
    return data


def _read_list(path: Path, key: str) -> list[Any]:
    data = _read_mapping(path)
    unknown = sorted(set(data) - {key})
    if unknown:
        raise PackError(f"{path}: unknown top-level keys {unknown}; expected only '{key}'")
    items = data.get(key)
    if not isinstance(items, list):
        raise PackError(f"{path}: {key}: must be a list")
    return items


def _read_records(path: Path, manifest: PackManifest) -> list[PackRecord]:
    records = []
    for index, raw in enumerate(_read_list(path, "records")):
        where = f"records[{index}]"
        records.append(_validate(PackRecord, _with_defaults(raw, manifest, path, where), path, where))
    return records


def _read_amendments(path: Path, manifest: PackManifest) -> list[Amendment]:
    amendments = []
    for index, raw in enumerate(_read_list(path, "amendments")):
        where = f"amendments[{index}]"
        if not isinstance(raw, dict):
            raise PackError(f"{path}: {where}: must be a mapping")
        new_records = raw.get("new_records", [])
        if isinstance(new_records, list):
            filled = [
                _with_defaults(item, manifest, path, f"{where}.new_records[{number}]")
                for number, item in enumerate(new_records)
            ]
            raw = {**raw, "new_records": filled}
        amendments.append(_validate(Amendment, raw, path, where))
    return amendments


def _with_defaults(raw: Any, manifest: PackManifest, path: Path, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PackError(f"{path}: {where}: must be a mapping")
    if "source_reference" not in raw and manifest.record_source_prefix and raw.get("locator"):
        return {**raw, "source_reference": f"{manifest.record_source_prefix}, {raw['locator']}"}
    return raw


def _validate(model: type[ModelT], raw: dict[str, Any], path: Path, where: str) -> ModelT:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        subject = raw.get("citation_id") or raw.get("id")
        label = f"{where} ({subject})" if where and subject else where
        raise PackError(f"{path}: {label + ': ' if label else ''}{_describe(exc)}") from exc


def _describe(exc: ValidationError) -> str:
    """Pydantic errors as 'field.path: message' lines."""
    parts = []
    for error in exc.errors():
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error["loc"]).lstrip(".")
        # Our own validators already start their message with the field they are about.
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)
