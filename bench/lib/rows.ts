// One line of the results table: a figure on one model, ours against the peer's, median of several
// fresh-process samples with min and max.
import { ProbeFailure } from './child.js';
import { summarize, type Summary } from './stats.js';

export type Unit = 'ms' | 'KB' | 'MB' | 'MB/s' | 'MB/min' | 'req/s' | 'fps' | 'nodes' | 'values' | 'cases' | 'crossings' | 'px' | 'Mpx²' | 'exponent' | 'dB';

export type Measured = Summary | { failed: string };

export interface Row {
  figure: string;
  model: string;
  unit: Unit;
  better: 'lower' | 'higher';
  ours: Measured;
  peerName?: string;
  peer?: Measured;
  /** ours / peer, of the medians. */
  ratio?: number;
  target?: { text: string; met: boolean };
  note?: string;
}

export function isSummary(m: Measured | undefined): m is Summary {
  return m !== undefined && !('failed' in m);
}

export function ratioOf(ours: Measured, peer: Measured | undefined): number | undefined {
  return isSummary(ours) && isSummary(peer) && peer.median > 0 ? ours.median / peer.median : undefined;
}

/** Collects samples of several quantities from one side; a side that fails once is not tried again. */
export class Side {
  private readonly values = new Map<string, number[]>();
  failure?: string;

  async sample(run: () => Promise<Record<string, number>>): Promise<void> {
    if (this.failure) return;
    try {
      for (const [key, value] of Object.entries(await run())) {
        if (!this.values.has(key)) this.values.set(key, []);
        this.values.get(key)!.push(value);
      }
    } catch (error) {
      // A timeout or stack overflow says it all; anything else keeps the failing side's own words.
      if (error instanceof ProbeFailure && error.reason !== 'failed') this.failure = error.reason;
      else this.failure = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
    }
  }

  measured(key: string): Measured {
    const values = this.values.get(key);
    if (values?.length) return summarize(values);
    return { failed: this.failure ?? 'no sample' };
  }
}

/** Runs ours and the peer alternately, `samples` times each, so that drifting load hits both alike. */
export async function alternate(samples: number, ours: Side, oursRun: () => Promise<Record<string, number>>, peer?: Side, peerRun?: () => Promise<Record<string, number>>): Promise<void> {
  for (let i = 0; i < samples; i++) {
    await ours.sample(oursRun);
    if (peer && peerRun) await peer.sample(peerRun);
  }
}

export function row(fields: Omit<Row, 'ratio'>): Row {
  return { ...fields, ratio: ratioOf(fields.ours, fields.peer) };
}
