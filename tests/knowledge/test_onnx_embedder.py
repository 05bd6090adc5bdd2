"""The ONNX MiniLM: built from the packaged weights on this machine, once and atomically, and giving the
vectors PyTorch (sentence-transformers) gives, so indexes built by either path answer the same."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedder import MiniLMEmbedder, TorchMiniLMEmbedder, minilm_model_dir
from knowledge.onnx_minilm import ensure_onnx_model
from knowledge.packs.loader import DEFAULT_ROOT as PACKS_ROOT


@pytest.fixture(scope="module")
def onnx_embedder(tmp_path_factory: pytest.TempPathFactory) -> MiniLMEmbedder:
    return MiniLMEmbedder(cache_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def torch_embedder() -> TorchMiniLMEmbedder:
    pytest.importorskip("torch")
    pytest.importorskip("sentence_transformers")
    return TorchMiniLMEmbedder()


def test_concurrent_first_use_builds_one_complete_graph(tmp_path: Path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def build() -> None:
        try:
            results.append(ensure_onnx_model(minilm_model_dir(), tmp_path))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    files = sorted(p.name for p in tmp_path.iterdir())
    # The model and its side file, no temporary leftovers.
    assert [name.rsplit(".", 1)[1] for name in files] == ["onnx", "weights"], files
    built = results[0].stat().st_mtime_ns
    # Later uses find the file and build nothing.
    assert ensure_onnx_model(minilm_model_dir(), tmp_path) == results[0]
    assert results[0].stat().st_mtime_ns == built
    embedder = MiniLMEmbedder(cache_dir=tmp_path)
    vectors = embedder.embed(["Who counts as a deployer?"])
    assert vectors.shape == (1, 384)
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)


def test_embeds_nothing_and_pads_batches_of_mixed_length(onnx_embedder: MiniLMEmbedder) -> None:
    assert onnx_embedder.embed([]).shape == (0, 384)
    texts = [
        "chatbot",
        "A chatbot that answers customers' questions about their claims. " * 3,
        "Who counts as a deployer?",
        "Who counts as a provider?",
        "Deployers of high-risk AI systems must keep the logs the system generates for six months.",
        "A provider places an AI system on the market or puts it into service under its own name. " * 2,
    ]
    alone = np.vstack([onnx_embedder._embed([t]) for t in texts])
    # Batched longest first, in batches of similar length, each padded to its longest text: a text's
    # vector is the same to the bit whatever it is batched with (the mask hides the padding exactly),
    # which is what lets the embedder remember vectors by text.
    assert onnx_embedder._batches([1, 100, 7, 7, 20, 90]) == [[1, 5], [4], [2, 3], [0]]
    for batch_size in (32, 2):
        onnx_embedder.batch_size = batch_size
        assert np.array_equal(onnx_embedder._embed(texts), alone)
        assert np.array_equal(onnx_embedder._embed(texts[::-1]), alone[::-1])
    onnx_embedder.batch_size = 32


def test_remembers_vectors_by_text_and_hands_out_copies(onnx_embedder: MiniLMEmbedder) -> None:
    first = onnx_embedder.embed(["Is emotion recognition at work allowed?", "chatbot"])
    again = onnx_embedder.embed(["chatbot", "Is emotion recognition at work allowed?", "chatbot"])
    assert np.array_equal(again, first[[1, 0, 1]])
    again[:] = 0.0  # a caller changing its array changes nothing remembered
    assert np.array_equal(onnx_embedder.embed(["chatbot"])[0], first[1])
    assert np.array_equal(first, onnx_embedder._embed(["Is emotion recognition at work allowed?", "chatbot"]))


def test_long_texts_are_cut_where_sentence_transformers_cuts(onnx_embedder: MiniLMEmbedder) -> None:
    long_text = "deployer obligations " * 400
    ids = onnx_embedder.tokenizer.encode(long_text).ids
    assert len(ids) == 256


@pytest.mark.slow
def test_matches_pytorch_on_every_pack_chunk(
    onnx_embedder: MiniLMEmbedder, torch_embedder: TorchMiniLMEmbedder
) -> None:
    from knowledge.chunking import chunk_document
    from knowledge.packs import load_packs

    texts = [draft.index_text for pack in load_packs() for draft in chunk_document(pack.to_document())]
    assert len(texts) > 500
    onnx_vectors = onnx_embedder.embed(texts)
    torch_vectors = torch_embedder.embed(texts)
    cosines = (onnx_vectors * torch_vectors).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.999, (cosines[worst], texts[worst][:200])


@pytest.mark.slow
def test_an_index_built_with_either_path_answers_the_same_with_the_other(
    tmp_path: Path, onnx_embedder: MiniLMEmbedder, torch_embedder: TorchMiniLMEmbedder
) -> None:
    from core.config import Settings
    from evals.datasets import retrieval_questions
    from knowledge.access import Audience
    from knowledge.builtin import ensure_builtin_knowledge
    from knowledge.factory import open_index
    from knowledge.retrieval import search

    # The two packs the questions are about (the EU AI Act and the GDPR), not all nineteen: the claim is
    # about the embedders, and each index is built twice over (passages and their sentences).
    packs = tmp_path / "packs"
    for regime in ("eu-ai-act", "gdpr"):
        shutil.copytree(PACKS_ROOT / regime, packs / regime)
    questions = [q.question for q in retrieval_questions()][:40]
    assert questions
    rankings: dict[tuple[str, str], list[list[str]]] = {}
    for built_by, embedder in (("onnx", onnx_embedder), ("torch", torch_embedder)):
        index = open_index(Settings(home=tmp_path / built_by))
        index.embedder = embedder
        assert sorted(ensure_builtin_knowledge(index, packs_root=packs)) == ["eu-ai-act", "gdpr"]
        for asked_by, query_embedder in (("onnx", onnx_embedder), ("torch", torch_embedder)):
            index.embedder = query_embedder
            rankings[built_by, asked_by] = [
                [p.citation_id for p in search(index, q, audience=Audience(), k=5)] for q in questions
            ]
        index.db.close()
    reference = rankings["torch", "torch"]
    for key, ranking in rankings.items():
        assert ranking == reference, key
