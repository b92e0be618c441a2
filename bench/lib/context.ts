// What every figure needs: sample count, the peers' interpreters, the built probes and a log.
export interface BenchContext {
  samples: number;
  quick: boolean;
  /** Debian's python3 that can import onnx. */
  python: string;
  /** Bundled probe scripts (CommonJS, run with this node). */
  probes: { decode: string; layout: string; ortBare: string; rssOnExit: string; fold: string; simplify: string; quantize: string; viewModel: string; shapes: string; opset: string; diff: string; scale: string; ipcEcho: string; httpFloor: string };
  /** The built CLI. */
  cli: string;
  /** A scratch folder the runner removes. */
  tmp: string;
  log(line: string): void;
}

export const MB = 2 ** 20;
export const kbToMB = (kb: number) => (kb * 1024) / MB;
