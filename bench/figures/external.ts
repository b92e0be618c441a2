// Opening a model whose weights are in a side file: nothing of the side file may be read, so peak RSS
// stays small whatever the weights weigh (issue 2's target: under 300 MB for 2 GB of external data).
import { type BenchContext } from '../lib/context.js';
import { isSummary, row, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';
import { openFigures } from './decode.js';

export const externalRssTargetMB = 300;

export async function externalFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { ours, peer } = await openFigures(ctx, model, { externalData: false });
  const peerName = 'onnx.load(load_external_data=False)';
  const rss = row({ figure: 'open with external data: peak RSS', model: model.name, unit: 'MB', better: 'lower', ours: ours.measured('rss'), peerName, peer: peer.measured('rss') });
  const measured = rss.ours;
  if (isSummary(measured)) rss.target = { text: `< ${externalRssTargetMB} MB`, met: measured.max < externalRssTargetMB };
  return [
    row({ figure: 'open with external data: time', model: model.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms') }),
    rss,
  ];
}
