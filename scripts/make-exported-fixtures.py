#!/usr/bin/env python3
"""Real-exporter fixtures: small PyTorch modules exported by torch.onnx, with torch's own outputs as test data.

Writes test/fixtures/exported/<name>/model.onnx and <name>/test_data_set_N/{input,output}_K.pb (TensorProto).
The fixtures are committed; the tests and CI read them and never need Python packages beyond Debian's.
Run this only to regenerate them (after changing a module below, or to move to a newer torch):

    python3 -m venv <venv>
    <venv>/bin/pip install torch onnx==1.23.1 onnxruntime==1.30.0 onnxscript onnx-ir
    <venv>/bin/python scripts/make-exported-fixtures.py

Everything is seeded (torch.manual_seed and numpy generators per model), so a rerun with the same package
versions writes the same tensors. The modules live in this file on purpose: the dynamo exports record
stack traces (node metadata_props `pkg.torch.onnx.stack_trace`) that point at lines of this file.
Absolute paths in those traces are rewritten to neutral prefixes (see PATH_PREFIXES) so that no path of
the machine that made them is committed; the file and line numbers stay as they were.

Before writing, each model is checked with onnx.checker (full_check) and run with onnxruntime against
torch's outputs; the run stops on the first failure. test/fixtures/exported/README.md describes each
fixture.
"""

from __future__ import annotations

import json
import shutil
import sys
from io import BytesIO
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
import onnxruntime
import torch
import torch.nn.functional as F
from onnx import helper, numpy_helper
from torch import nn

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / 'test' / 'fixtures' / 'exported'

# Stack traces hold absolute paths: the repository becomes /src/onnx-lens (suffix mapping still finds
# scripts/make-exported-fixtures.py), the environment's prefixes neutral ones (site-packages frames keep
# their shape: /opt/venv/lib/python3.X/site-packages/torch/...).
PATH_PREFIXES = sorted(
    {str(REPO): '/src/onnx-lens', sys.prefix: '/opt/venv', sys.base_prefix: '/usr/local', str(Path.home()): '/home/user'}.items(),
    key=lambda item: -len(item[0]),
)

TORCHSCRIPT_OPSET = 17  # the newest opset Debian's onnx 1.12 knows, so its checker can read these files

# Tolerance the unit test states too: float32 torch vs onnxruntime.
RTOL, ATOL = 1e-4, 1e-5


# ---------------------------------------------------------------------------------------------------------
# Modules

class TinyCNN(nn.Module):
    """Conv/BatchNorm/ReLU/MaxPool twice, global average pool, Linear: an image classifier on any H x W."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
        self.bn2 = nn.BatchNorm2d(16)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = self.pool(F.relu(self.bn1(self.conv1(image))))
        x = F.relu(self.bn2(self.conv2(x)))
        x = torch.flatten(self.gap(x), 1)
        return self.fc(x)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        qkv = self.qkv(x).reshape(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        scores = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        y = scores.softmax(dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, s, d))


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = MLP(dim, 2 * dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyTransformer(nn.Module):
    """Token and position embeddings, one pre-norm block (attention + LayerNorm + MLP), a vocabulary head."""

    def __init__(self, vocab: int = 100, dim: int = 32, heads: int = 4, max_positions: int = 64) -> None:
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_positions, dim)
        self.block = Block(dim, heads)
        self.ln_f = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)
        x = self.tokens(input_ids) + self.positions(positions)
        return self.head(self.ln_f(self.block(x)))


class TinyLSTM(nn.Module):
    """One LSTM layer over [batch, seq, features] and a Linear on each step; returns the states too."""

    def __init__(self) -> None:
        super().__init__()
        self.lstm = nn.LSTM(input_size=8, hidden_size=16, batch_first=True)
        self.out = nn.Linear(16, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        y, (h, c) = self.lstm(x)
        return self.out(y), h, c


class SignCond(nn.Module):
    """torch.cond on a predicate computed from the input (its sum), one Linear per branch: dynamo writes an If."""

    def __init__(self) -> None:
        super().__init__()
        self.positive = nn.Linear(8, 8)
        self.negative = nn.Linear(8, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        def when_positive(x: torch.Tensor) -> torch.Tensor:
            return F.relu(self.positive(x))

        def otherwise(x: torch.Tensor) -> torch.Tensor:
            return torch.tanh(self.negative(x)) * 2.0

        return torch.cond(x.sum() > 0, when_positive, otherwise, (x,))


class SileroLike(nn.Module):
    """Shaped like silero VAD v5: (input [batch, time], state [2, batch, 16], sr int64 scalar) -> (output, stateN).

    The sample rate selects the path (16000: window 64, hop 32; otherwise the 8 kHz one: window 32, hop 16),
    and each path pads the time axis with a reflect Pad before its strided "STFT" convolution, as silero does.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stft16 = nn.Conv1d(1, 16, kernel_size=64, stride=32, bias=False)
        self.stft8 = nn.Conv1d(1, 16, kernel_size=32, stride=16, bias=False)
        self.encoder = nn.Conv1d(16, 16, kernel_size=3, padding=1)
        self.decoder = nn.Linear(16, 1)

    def features(self, spec: torch.Tensor) -> torch.Tensor:
        return F.relu(self.encoder(torch.abs(spec))).mean(dim=2)

    def path16k(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(self.stft16(F.pad(x.unsqueeze(1), (0, 32), mode='reflect')))

    def path8k(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(self.stft8(F.pad(x.unsqueeze(1), (0, 16), mode='reflect')))

    def step(self, features: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = torch.tanh(features + state[0])
        c = state[1] * 0.5 + h
        return torch.sigmoid(self.decoder(h)), torch.stack([h, c])


class SileroLikeCond(SileroLike):
    def forward(self, input: torch.Tensor, state: torch.Tensor, sr: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = torch.cond(sr == 16000, self.path16k, self.path8k, (input,))
        return self.step(features, state)


class SileroLikeScripted(SileroLike):
    """The same computation written for torch.jit.script, whose `if` the torchscript exporter writes as an If."""

    def forward(self, input: torch.Tensor, state: torch.Tensor, sr: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if bool(sr == 16000):
            features = self.path16k(input)
        else:
            features = self.path8k(input)
        return self.step(features, state)


class ResidualBlock(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(x + y)


class DeepDetector(nn.Module):
    """A deep, narrow text-detector-like CNN (stem, 32 residual blocks, upsample, sigmoid map), as PaddleOCR's."""

    def __init__(self, channels: int = 8, blocks: int = 32) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, channels, 3, stride=2, padding=1)
        self.blocks = nn.Sequential(*[ResidualBlock(channels) for _ in range(blocks)])
        self.head = nn.Conv2d(channels, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.blocks(F.relu(self.stem(x)))
        y = F.interpolate(y, scale_factor=2.0, mode='nearest')
        return torch.sigmoid(self.head(y) * 0.5)


# ---------------------------------------------------------------------------------------------------------
# Export and post-processing

def seeded(make: Callable[[], nn.Module], seed: int) -> nn.Module:
    """A module with seeded weights and non-trivial BatchNorm statistics, in eval mode."""
    torch.manual_seed(seed)
    module = make()
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return module.eval()


def torchscript(module: nn.Module, args: tuple, input_names: list[str], output_names: list[str],
                dynamic_axes: dict[str, dict[int, str]], opset: int = TORCHSCRIPT_OPSET) -> onnx.ModelProto:
    buffer = BytesIO()
    torch.onnx.export(module, args, buffer, dynamo=False, opset_version=opset, input_names=input_names,
                      output_names=output_names, dynamic_axes=dynamic_axes)
    return onnx.load_from_string(buffer.getvalue())


def dynamo(module: nn.Module, args: tuple, input_names: list[str], output_names: list[str], dynamic_shapes: dict) -> onnx.ModelProto:
    program = torch.onnx.export(module, args, dynamo=True, input_names=input_names, output_names=output_names,
                                dynamic_shapes=dynamic_shapes, external_data=False)
    return program.model_proto


def neutral(text: str) -> str:
    for prefix, replacement in PATH_PREFIXES:
        text = text.replace(prefix, replacement)
    return text


def graphs(model: onnx.ModelProto):
    """Every graph: the main one, subgraphs of If/Loop/Scan at any depth."""
    stack = [model.graph]
    while stack:
        graph = stack.pop()
        yield graph
        for node in graph.node:
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    stack.append(attr.g)
                elif attr.type == onnx.AttributeProto.GRAPHS:
                    stack.extend(attr.graphs)


def rewrite_paths(model: onnx.ModelProto) -> None:
    """Machine paths out of every doc_string and metadata value (nodes, graphs, functions, model)."""
    def fix_props(props) -> None:
        for prop in props:
            prop.value = neutral(prop.value)

    model.doc_string = neutral(model.doc_string)
    fix_props(model.metadata_props)
    nodes = [n for g in graphs(model) for n in g.node] + [n for f in model.functions for n in f.node]
    for graph in graphs(model):
        graph.doc_string = neutral(graph.doc_string)
        fix_props(graph.metadata_props)
    for node in nodes:
        node.doc_string = neutral(node.doc_string)
        fix_props(node.metadata_props)
    data = model.SerializeToString()
    for prefix, _ in PATH_PREFIXES:
        if prefix.encode() in data:
            raise SystemExit(f'a machine path is still in the model: {prefix}')


def weights_into_constants(model: onnx.ModelProto) -> None:
    """Every initializer becomes a Constant node at the top of the graph, as paddle2onnx writes weights; a
    Conv's weight and bias get Paddle's names (conv2d_K.w_0, conv2d_K.b_0)."""
    graph = model.graph
    renames: dict[str, str] = {}
    for k, node in enumerate(n for n in graph.node if n.op_type == 'Conv'):
        for slot, suffix in ((1, 'w_0'), (2, 'b_0')):
            if len(node.input) > slot:
                renames[node.input[slot]] = f'conv2d_{k}.{suffix}'
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
    constants = []
    for tensor in graph.initializer:
        name = renames.get(tensor.name, tensor.name)
        value = onnx.TensorProto()
        value.CopyFrom(tensor)
        value.name = name
        constants.append(helper.make_node('Constant', [], [name], name=f'{name}_constant', value=value))
    del graph.initializer[:]
    nodes = constants + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    inputs = [i for i in graph.input if i.name not in renames and i.name not in {c.output[0] for c in constants}]
    del graph.input[:]
    graph.input.extend(inputs)


# ---------------------------------------------------------------------------------------------------------
# Test data and checks

def flat_outputs(result) -> list[torch.Tensor]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def graph_inputs(model: onnx.ModelProto) -> list[str]:
    initializers = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def check_and_write(name: str, model: onnx.ModelProto, module: nn.Module, data_sets: list[tuple]) -> dict:
    """Checks the model (onnx.checker, onnxruntime against torch on every data set) and writes the folder."""
    rewrite_paths(model)
    onnx.checker.check_model(model, full_check=True)
    inputs = graph_inputs(model)
    outputs = [o.name for o in model.graph.output]
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=['CPUExecutionProvider'])
    folder = OUT / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    worst = 0.0
    for index, args in enumerate(data_sets):
        with torch.no_grad():
            expected = [t.numpy() for t in flat_outputs(module(*args))]
        if len(args) != len(inputs) or len(expected) != len(outputs):
            raise SystemExit(f'{name}: {len(args)} args / {len(expected)} results for inputs {inputs} and outputs {outputs}')
        feeds = {n: a.numpy() for n, a in zip(inputs, args)}
        actual = session.run(outputs, feeds)
        for out_name, e, a in zip(outputs, expected, actual):
            if e.shape != a.shape or e.dtype != a.dtype or not np.allclose(a, e, rtol=RTOL, atol=ATOL):
                raise SystemExit(f'{name}: onnxruntime and torch differ on {out_name} (set {index})')
            if e.size:
                worst = max(worst, float(np.max(np.abs(a.astype(np.float64) - e))))
        data_dir = folder / f'test_data_set_{index}'
        data_dir.mkdir()
        for k, (n, a) in enumerate(feeds.items()):
            (data_dir / f'input_{k}.pb').write_bytes(numpy_helper.from_array(a, n).SerializeToString())
        for k, (n, e) in enumerate(zip(outputs, expected)):
            (data_dir / f'output_{k}.pb').write_bytes(numpy_helper.from_array(e, n).SerializeToString())
    (folder / 'model.onnx').write_bytes(model.SerializeToString())
    opset = next(o.version for o in model.opset_import if o.domain in ('', 'ai.onnx'))
    stack_traces = sum(1 for g in graphs(model) for n in g.node for p in n.metadata_props if p.key == 'pkg.torch.onnx.stack_trace')
    nodes = sum(len(g.node) for g in graphs(model))
    size = (folder / 'model.onnx').stat().st_size
    print(f'{name}: opset {opset}, IR {model.ir_version}, {nodes} nodes, {stack_traces} with stack traces, {size} bytes, '
          f'{len(data_sets)} data sets, max abs error vs torch {worst:.3g}')
    return {'opset': opset, 'ir_version': model.ir_version, 'nodes': nodes, 'stack_traces': stack_traces, 'bytes': size,
            'data_sets': len(data_sets), 'max_abs_error': worst}


def randn(rng: np.random.Generator, *shape: int) -> torch.Tensor:
    return torch.from_numpy(rng.standard_normal(shape).astype(np.float32))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    summary: dict[str, dict] = {}
    batch = torch.export.Dim('batch', min=1, max=64)

    # CNN: dynamic batch, height and width.
    cnn = seeded(TinyCNN, 1)
    rng = np.random.default_rng(1)
    cnn_sets = [(randn(rng, 2, 3, 20, 28),), (randn(rng, 1, 3, 9, 13),)]
    summary['cnn_torchscript'] = check_and_write('cnn_torchscript', torchscript(
        cnn, cnn_sets[0], ['image'], ['logits'], {'image': {0: 'batch', 2: 'height', 3: 'width'}, 'logits': {0: 'batch'}}), cnn, cnn_sets)
    height, width = torch.export.Dim('height', min=2, max=1024), torch.export.Dim('width', min=2, max=1024)
    summary['cnn_dynamo'] = check_and_write('cnn_dynamo', dynamo(
        cnn, cnn_sets[0], ['image'], ['logits'], {'image': {0: batch, 2: height, 3: width}}), cnn, cnn_sets)

    # Transformer block over token ids: dynamic batch and sequence.
    transformer = seeded(TinyTransformer, 2)
    rng = np.random.default_rng(2)
    ids = [(torch.from_numpy(rng.integers(0, 100, size=shape, dtype=np.int64)),) for shape in ((2, 7), (1, 12))]
    summary['transformer_torchscript'] = check_and_write('transformer_torchscript', torchscript(
        transformer, ids[0], ['input_ids'], ['logits'], {'input_ids': {0: 'batch', 1: 'sequence'}, 'logits': {0: 'batch', 1: 'sequence'}}),
        transformer, ids)
    sequence = torch.export.Dim('sequence', min=2, max=64)
    summary['transformer_dynamo'] = check_and_write('transformer_dynamo', dynamo(
        transformer, ids[0], ['input_ids'], ['logits'], {'input_ids': {0: batch, 1: sequence}}), transformer, ids)

    # LSTM (torchscript): dynamic batch and sequence.
    lstm = seeded(TinyLSTM, 3)
    rng = np.random.default_rng(3)
    lstm_sets = [(randn(rng, 2, 5, 8),), (randn(rng, 3, 11, 8),)]
    summary['lstm_torchscript'] = check_and_write('lstm_torchscript', torchscript(
        lstm, lstm_sets[0], ['x'], ['y', 'h', 'c'], {'x': {0: 'batch', 1: 'sequence'}, 'y': {0: 'batch', 1: 'sequence'}, 'h': {1: 'batch'}, 'c': {1: 'batch'}}),
        lstm, lstm_sets)

    # torch.cond (dynamo -> If): one data set per branch.
    cond = seeded(SignCond, 4)
    rng = np.random.default_rng(4)
    positive = torch.from_numpy(np.abs(rng.standard_normal((3, 8))).astype(np.float32))
    negative = -torch.from_numpy(np.abs(rng.standard_normal((5, 8))).astype(np.float32))
    cond_sets = [(positive,), (negative,)]
    summary['cond_dynamo'] = check_and_write('cond_dynamo', dynamo(cond, cond_sets[0], ['x'], ['y'], {'x': {0: batch}}), cond, cond_sets)

    # Silero-like: sr selects the branch, reflect Pad on the dynamic time axis. One data set per sample rate.
    rng = np.random.default_rng(5)
    silero_sets = []
    for sr, samples, b in ((16000, 512, 1), (8000, 256, 2), (16000, 1024, 2)):
        silero_sets.append((randn(rng, b, samples), randn(rng, 2, b, 16) * 0.1, torch.tensor(sr, dtype=torch.int64)))
    silero_cond = seeded(SileroLikeCond, 5)
    time = torch.export.Dim('time', min=128, max=65536)
    summary['silero_like_dynamo'] = check_and_write('silero_like_dynamo', dynamo(
        silero_cond, silero_sets[0], ['input', 'state', 'sr'], ['output', 'stateN'],
        {'input': {0: batch, 1: time}, 'state': {1: batch}, 'sr': None}), silero_cond, silero_sets)
    silero_scripted = seeded(SileroLikeScripted, 5)
    summary['silero_like_torchscript'] = check_and_write('silero_like_torchscript', torchscript(
        torch.jit.script(silero_scripted), silero_sets[0], ['input', 'state', 'sr'], ['output', 'stateN'],
        {'input': {0: 'batch', 1: 'time'}, 'state': {1: 'batch'}, 'output': {0: 'batch'}, 'stateN': {1: 'batch'}}),
        silero_scripted, silero_sets)

    # Old opset, weights in Constant nodes, paddle2onnx's dim and tensor names.
    detector = seeded(DeepDetector, 6)
    rng = np.random.default_rng(6)
    detector_sets = [(randn(rng, 1, 3, 32, 48),), (randn(rng, 2, 3, 16, 16),)]
    p2o_in = {0: 'p2o.DynamicDimension.0', 2: 'p2o.DynamicDimension.1', 3: 'p2o.DynamicDimension.2'}
    p2o_out = {0: 'p2o.DynamicDimension.0', 2: 'p2o.DynamicDimension.3', 3: 'p2o.DynamicDimension.4'}
    model = torchscript(detector, detector_sets[0], ['x'], ['sigmoid_0.tmp_0'], {'x': p2o_in, 'sigmoid_0.tmp_0': p2o_out}, opset=11)
    weights_into_constants(model)
    summary['detector_opset11_constants'] = check_and_write('detector_opset11_constants', model, detector, detector_sets)

    versions = {'torch': torch.__version__, 'onnx': onnx.__version__, 'onnxruntime': onnxruntime.__version__,
                'onnxscript': __import__('onnxscript').__version__, 'onnx_ir': __import__('onnx_ir').__version__,
                'python': '.'.join(map(str, sys.version_info[:3]))}
    manifest = {'versions': versions, 'tolerance': {'rtol': RTOL, 'atol': ATOL}, 'fixtures': summary}
    (OUT / 'manifest.json').write_text(json.dumps(manifest, indent=2) + '\n')
    total = sum(f.stat().st_size for f in OUT.rglob('*') if f.is_file())
    print(f'{len(summary)} fixtures, {total} bytes in all')


if __name__ == '__main__':
    main()
