// The source frames torch's dynamo exporter records per node (`pkg.torch.onnx.stack_trace`): Python
// traceback text, outermost call first, each frame a `File "…", line N, in fn` line and, usually, the code.

export const STACK_TRACE_KEY = 'pkg.torch.onnx.stack_trace';

export interface SourceFrame {
  /** The path as the exporter wrote it: absolute on its machine, relative, or a pseudo-file (`<eval_with_key>.3`). */
  file: string;
  /** 1-based. */
  line: number;
  function?: string;
  /** The source line the traceback quotes, trimmed. */
  code?: string;
  /** In an installed package (site-packages, dist-packages), not the user's code. */
  sitePackages: boolean;
  /** Code Python generated (`<eval_with_key>.N`, `<string>`): there is no file to open. */
  generated: boolean;
}

const FRAME = /^\s*File "((?:[^"\\]|\\.)*)", line (\d+)(?:, in (.+?))?\s*$/;

export function isSitePackages(file: string): boolean {
  return /[\\/](?:site|dist)-packages[\\/]/.test(file);
}

export function isGenerated(file: string): boolean {
  return file.startsWith('<');
}

/** Frames of a traceback text, in its order; lines that are neither a frame nor its code are ignored. */
export function parseStackTrace(text: string): SourceFrame[] {
  const frames: SourceFrame[] = [];
  let last: SourceFrame | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const match = FRAME.exec(raw);
    if (match) {
      const file = match[1].replace(/\\(.)/g, '$1');
      last = { file, line: Number(match[2]), sitePackages: isSitePackages(file), generated: isGenerated(file) };
      if (match[3]) last.function = match[3];
      frames.push(last);
    } else if (last && last.code === undefined && raw.trim()) {
      // The first non-empty line after a frame is its code; anything more (carets, notes) is not ours.
      last.code = raw.trim();
    }
  }
  return frames;
}

/** The frames of a node's metadata, or [] when it has no stack trace. */
export function nodeFrames(metadata: ReadonlyArray<{ key?: string | null; value?: string | null }> | null | undefined): SourceFrame[] {
  const trace = metadata?.find((p) => p.key === STACK_TRACE_KEY)?.value;
  return trace ? parseStackTrace(trace) : [];
}
