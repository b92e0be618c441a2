import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ortMessage } from '../../../src/core/runtime/client.js';
import { latencyStats, percentile } from '../../../src/core/runtime/latency.js';
import { aggregateProfile } from '../../../src/core/runtime/profile.js';
import { formatDimAssignments, parseDimAssignments } from '../../../src/core/runtime/inputs.js';
import { runPython } from '../../helpers/python.js';

test('onnxruntime messages become one plain line, status codes removed, very long ones cut', () => {
  assert.equal(
    ortMessage('[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Got invalid dimensions for input: x for the following indices\n index: 0 Got: 3 Expected: 2\n Please fix either the inputs/outputs or the model.'),
    'onnxruntime: Got invalid dimensions for input: x for the following indices index: 0 Got: 3 Expected: 2 Please fix either the inputs/outputs or the model.',
  );
  const long = ortMessage(`Failed to find kernel ${'x'.repeat(2000)}`);
  assert.equal(long.length, 'onnxruntime: '.length + 500);
  assert.ok(long.endsWith('…'));
  assert.equal(ortMessage('  \n '), 'onnxruntime: unknown error');
});

test('profile traces: kernel time summed per node over runs; fences and session events ignored', () => {
  const trace = [
    { cat: 'Session', name: 'session_initialization', dur: 5000 },
    { cat: 'Node', name: '/layer/MatMul_fence_before', dur: 1 },
    { cat: 'Node', name: '/layer/MatMul_kernel_time', dur: 300, args: { op_name: 'MatMul', provider: 'CPUExecutionProvider' } },
    { cat: 'Node', name: '/layer/MatMul_fence_after', dur: 1 },
    { cat: 'Node', name: 'relu_kernel_time', dur: 50, args: { op_name: 'Relu', provider: 'CPUExecutionProvider' } },
    { cat: 'Node', name: '/layer/MatMul_kernel_time', dur: 500, args: { op_name: 'MatMul', provider: 'CPUExecutionProvider' } },
    { cat: 'Session', name: 'model_run', dur: 900 },
  ];
  assert.deepEqual(aggregateProfile(trace), [
    { name: '/layer/MatMul', opType: 'MatMul', provider: 'CPUExecutionProvider', totalMs: 0.8, count: 2 },
    { name: 'relu', opType: 'Relu', provider: 'CPUExecutionProvider', totalMs: 0.05, count: 1 },
  ]);
  assert.deepEqual(aggregateProfile({ not: 'a trace' }), []);
});

test('percentiles interpolate like numpy.percentile', () => {
  const samples = [[5], [3, 1], [0.5, 9, 2, 7, 7, 1.25], Array.from({ length: 37 }, (_, i) => (i * 7919) % 101)];
  const want = JSON.parse(runPython('import sys, json, numpy as np\nprint(json.dumps([[float(np.percentile(s, p)) for p in (50, 90, 99)] for s in json.loads(sys.argv[1])]))', [JSON.stringify(samples)])) as number[][];
  samples.forEach((s, i) => {
    const sorted = [...s].sort((a, b) => a - b);
    [50, 90, 99].forEach((p, k) => assert.ok(Math.abs(percentile(sorted, p) - want[i][k]) < 1e-9, `sample ${i} p${p}`));
  });
  const stats = latencyStats([3, 1, 2], 12.5);
  assert.deepEqual({ ...stats, times: undefined }, { sessionCreateMs: 12.5, mean: 2, p50: 2, p90: 2.8, p99: 2.98, min: 1, max: 3, iterations: 3, times: undefined });
});

test('dimension assignments: NAME=SIZE pairs, names with spaces and dots kept', () => {
  assert.deepEqual(parseDimAssignments('batch=2, seq len = 128,p2o.DynamicDimension.0=7'), { batch: 2, 'seq len': 128, 'p2o.DynamicDimension.0': 7 });
  assert.deepEqual(parseDimAssignments('  '), {});
  assert.equal(formatDimAssignments({ N: 1, seq: 128 }), 'N=1, seq=128');
  for (const bad of ['N', 'N=-1', 'N=1.5', '=3']) assert.throws(() => parseDimAssignments(bad), /NAME=SIZE pairs/, bad);
});
