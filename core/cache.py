"""The machine-wide cache of files derived from what ships with govassist (the embedder's ONNX graph, the
parsed built-in packs): rebuilt on this machine, never downloaded, and safe to delete at any time."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def model_cache_dir() -> Path:
    """Where built models and other derived files are kept: GOVASSIST_MODEL_CACHE, else the user cache
    directory (`~/.cache/govassist/models` on Linux)."""
    configured = os.environ.get("GOVASSIST_MODEL_CACHE")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("govassist")) / "models"


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, then rename: readers see all or nothing, and
    a concurrent writer of the same content just renames its identical copy over this one."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp_name, 0o644)  # mkstemp's 0600 would hide the cache from other users of the machine
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
