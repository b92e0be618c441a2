// What every simplify test checks: the result computes the same outputs as the original in onnxruntime
// (floats within simplify's tolerance, integers exactly), keeps the graph's inputs and outputs with their
// names and types, and passes Debian's onnx.checker.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { typeText } from '../../../src/core/model/types.js';
import type { RuntimeClient } from '../../../src/core/runtime/client.js';
import { compareModels } from '../../../src/core/runtime/compare.js';
import { simplifyModel, simplifyTolerance, type SimplifyOptions, type SimplifyStats } from '../../../src/core/transforms/simplify/simplify.js';
import { onnxCheck } from '../../helpers/python.js';

export const ops = (m: ModelProto) => (m.graph?.node ?? []).map((n) => n.opType);

export function signature(m: ModelProto): string[] {
  return [...(m.graph?.input ?? []).map((v) => `in ${v.name}: ${typeText(v.type)}`), ...(m.graph?.output ?? []).map((v) => `out ${v.name}: ${typeText(v.type)}`)];
}

export function count(stats: SimplifyStats, id: string): number {
  return stats.rewrites.find((r) => r.id === id)?.count ?? NaN;
}

export class SimplifyHarness {
  constructor(readonly client: RuntimeClient, readonly dir: string) {}

  simplify(m: ModelProto, options: SimplifyOptions = {}) {
    return simplifyModel(m, options, { client: this.client });
  }

  /** Same outputs on the same inputs (free dims sized by `dims`), same signature, onnx.checker passes. */
  async assertEquivalent(original: ModelProto, result: ModelProto, label: string, dims?: Record<string, number>): Promise<void> {
    assert.deepEqual(signature(result), signature(original), `${label}: graph inputs and outputs unchanged`);
    for (const seed of [1, 2]) {
      const r = await compareModels(this.client, encodeModel(original), encodeModel(result), { ...simplifyTolerance, seed, dims });
      assert.ok(r.comparisons.length > 0, label);
      assert.ok(r.pass, `${label}: ${JSON.stringify(r.comparisons.map((c) => ({ name: c.name, maxAbs: c.maxAbsError, mismatches: c.mismatches, problem: c.problem })))}`);
    }
    const path = join(this.dir, `${label.replace(/[^a-z0-9]+/gi, '_')}.onnx`);
    writeFileSync(path, encodeModel(result));
    assert.equal(onnxCheck(path), '', `${label}: onnx.checker`);
  }
}
