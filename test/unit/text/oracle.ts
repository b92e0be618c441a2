// onnx.parser as an independent reader of the text we print: Debian's python3-onnx (1.12), or a newer
// onnx in the Python that ONNX_LENS_NEW_ONNX_PYTHON names. One Python process reads many texts (JSON
// lines on stdin) and answers with the parsed model's bytes or the error.
import { spawnSync } from 'node:child_process';
import type { GraphProto, ModelProto, NodeProto, TypeProto } from '../../../src/core/model/proto.js';
import { onnxPython } from '../../helpers/python.js';

export type OracleAnswer = { ok: true; model: Uint8Array } | { ok: false; error: string };

const script = `
import sys, json, base64
import onnx.parser
for line in sys.stdin:
    job = json.loads(line)
    try:
        m = onnx.parser.parse_model(job["text"])
        out = {"id": job["id"], "ok": True, "model": base64.b64encode(m.SerializeToString()).decode()}
    except Exception as e:
        out = {"id": job["id"], "ok": False, "error": " ".join(str(e).split())[:300]}
    sys.stdout.write(json.dumps(out) + "\\n")
    sys.stdout.flush()
`;

/** The Python with a newer onnx than Debian's, when the environment names one (it is not in CI). */
export function newOnnxPython(): string | undefined {
  return process.env.ONNX_LENS_NEW_ONNX_PYTHON || undefined;
}

/** The onnx version a Python imports. */
export function onnxVersion(python: string): string {
  const run = spawnSync(python, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${python} cannot import onnx: ${run.stderr.split('\n').filter(Boolean).pop() ?? run.error?.message}`);
  return run.stdout.trim();
}

/** Parses every text with onnx.parser; a text that crashes the parser is answered with an error and the rest go on. */
export function oracleParse(texts: string[], python: string = onnxPython()): OracleAnswer[] {
  const answers: Array<OracleAnswer | undefined> = new Array(texts.length);
  let next = 0;
  while (next < texts.length) {
    const input = texts.slice(next).map((text, i) => JSON.stringify({ id: next + i, text })).join('\n') + '\n';
    const run = spawnSync(python, ['-c', script], { input, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    let last = next - 1;
    for (const line of run.stdout.split('\n')) {
      if (!line) continue;
      const a = JSON.parse(line) as { id: number; ok: boolean; model?: string; error?: string };
      answers[a.id] = a.ok ? { ok: true, model: Buffer.from(a.model ?? '', 'base64') } : { ok: false, error: a.error ?? '' };
      last = a.id;
    }
    if (last + 1 < texts.length && run.status !== 0) {
      answers[last + 1] = { ok: false, error: `onnx.parser crashed (${run.signal ?? `exit ${run.status}`}): ${run.stderr.split('\n')[0]}` };
      next = last + 2;
    } else {
      next = last + 1;
      if (next < texts.length) throw new Error(`onnx.parser stopped early: ${run.stderr.split('\n')[0]}`);
    }
  }
  return answers as OracleAnswer[];
}

/** onnx's model with the names of the original put back where --strict text renamed them. */
export function withModelNames(model: ModelProto, renames: ReadonlyMap<string, string>): ModelProto {
  const back = new Map([...renames].map(([name, identifier]) => [identifier, name]));
  const name = (n: string | null | undefined) => back.get(n ?? '') ?? n ?? '';
  const type = (t: TypeProto | null | undefined) => {
    for (const d of t?.tensorType?.shape?.dim ?? []) if (d.dimParam) d.dimParam = name(d.dimParam);
  };
  const nodes = (list: NodeProto[] | null | undefined) => {
    for (const node of list ?? []) {
      node.input = (node.input ?? []).map(name);
      node.output = (node.output ?? []).map(name);
      for (const a of node.attribute ?? []) {
        if (a.t?.name) a.t.name = name(a.t.name);
        if (a.g) graph(a.g);
      }
    }
  };
  const graph = (g: GraphProto) => {
    g.name = name(g.name);
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
      v.name = name(v.name);
      type(v.type);
    }
    for (const t of g.initializer ?? []) t.name = name(t.name);
    nodes(g.node);
  };
  if (model.graph) graph(model.graph);
  for (const f of model.functions ?? []) {
    f.input = (f.input ?? []).map(name);
    f.output = (f.output ?? []).map(name);
    nodes(f.node);
  }
  return model;
}
