"""The packaged MiniLM embedder writes nothing to the terminal, even where logging is at INFO (the Slack
server logs at INFO, and its log holds events, not progress bars)."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from knowledge.embedder import get_embedder


def test_embedding_at_info_level_draws_no_progress_bar(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the root logger, as `govassist slack run` configures it
    embedder = get_embedder("minilm")
    capfd.readouterr()  # whatever loading the model printed is not what this test is about
    vectors = embedder.embed(["Which AI practices are prohibited?", "Who counts as a deployer?"])
    out, err = capfd.readouterr()
    assert vectors.shape == (2, embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert "Batches" not in err and "it/s" not in err, err
    assert out == "" and err == ""
