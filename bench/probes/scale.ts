// Child process: one model of the scale curve, every host stage in turn in this fresh process: read +
// decode + index + summary (as the open figure), the view model serialized as it crosses postMessage (as
// the editor figure; written to a file for the page), and the layout of the whole operator graph (as the
// layout figure). Prints {decodeMs, viewMs, layoutMs, rssKB, nodes}: the peak RSS is this size's alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { buildModelView } from '../../src/core/graph/viewModel.js';
import { layoutGraph } from '../../src/core/layout/index.js';
import { decodeModel } from '../../src/core/model/decode.js';
import { GraphIndex } from '../../src/core/model/graphIndex.js';
import { summarize } from '../../src/core/model/summary.js';
import { layoutInput } from '../lib/layoutInput.js';

const [modelPath, viewPath] = process.argv.slice(2);
const t0 = performance.now();
const model = decodeModel(readFileSync(modelPath));
const index = GraphIndex.build(model.graph ?? {});
const summary = summarize(model);
const t1 = performance.now();
const view = buildModelView(model, basename(modelPath));
const json = JSON.stringify(view.main);
const t2 = performance.now();
if (viewPath) writeFileSync(viewPath, json);
const { nodes, edges } = layoutInput(model);
const t3 = performance.now();
const placed = layoutGraph(nodes, edges, { direction: 'TB', nodeSep: 20, rankSep: 30, edgeSep: 10 });
const t4 = performance.now();
console.log(JSON.stringify({
  decodeMs: t1 - t0,
  viewMs: t2 - t1,
  layoutMs: t4 - t3,
  rssKB: process.resourceUsage().maxRSS,
  nodes: summary.nodes.total,
  order: index.topologicalOrder().length,
  placed: Object.keys(placed.nodes).length,
}));
