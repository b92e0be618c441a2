// Messages between the extension host and the model editor's webview, imported by both sides:
// one discriminated union of events per direction, plus requests that get exactly one reply.
import type { DiffOverlay } from './core/diff/diffOverlay.js';
import type { GraphView, NodeDetail, TensorDetail, TensorRef } from './core/graph/viewModelTypes.js';
import type { Dim } from './core/model/types.js';
import type { InputSpec } from './core/runtime/inputSpec.js';
import type { InputTable } from './core/runtime/inputTable.js';
import type { TestRunReport } from './core/runtime/testRun.js';
import type { InputChoice, TryAnswer } from './core/serve/tryRequest.js';

export interface EditorSettings {
  direction: 'TB' | 'LR';
  collapseAbove: number;
  /** Symbolic dimensions by their full names instead of short aliases (`onnxLens.graph.fullDimNames`). */
  fullDimNames: boolean;
}

/** Results of a test run laid over the graph: runtime types and statistics per tensor, time per node. */
export interface RuntimeOverlay {
  values: Record<string, { dtype: string; shape: Dim[]; stats?: { min: number; max: number; mean: number; std: number; nan?: number; inf?: number } }>;
  nodeTimesUs?: Record<string, number>;
}

/** A place in the model a problem is about: a node or a value of a graph, a graph, or the model itself. */
export interface RevealLocation {
  /** Graph id as the graph view uses it; undefined for the model as a whole. */
  graph?: string;
  /** Node index in that graph. */
  node?: number;
  /** Value name in that graph. */
  value?: string;
}

/** What the model checker found, for the model panel (the problems themselves are in the Problems panel). */
export interface ProblemsSummary {
  state: 'checking' | 'done' | 'failed';
  errors: number;
  warnings: number;
  infos: number;
  /** Whether ONNX: Fix Model Problems... has a fix for some of them. */
  fixable: boolean;
  /** Why the check failed, for state 'failed'. */
  message?: string;
}

/** The edits the webview offers (context menu, side panel); the host runs the matching `onnxLens.edit.*` command. */
export type EditAction =
  | 'renameValue' | 'renameNode' | 'setShape' | 'batchDim' | 'inputType' | 'exposeOutput' | 'removeOutput'
  | 'deleteNode' | 'editAttribute' | 'editMetadata' | 'replaceInitializer';

/**
 * What an edit is about. `graph`/`node`: the node's real place (its own graph id and index there, not
 * the index in a view with bodies shown inline); `value`: a value name in `graph` (main graph when absent);
 * `attribute`, `metadataKey`: the entry the pencil next to it edits.
 */
export interface EditTarget {
  graph?: string;
  node?: number;
  value?: string;
  attribute?: string;
  metadataKey?: string;
}

// Side-by-side diff: the two model editors of a diff follow each other's camera and selection through
// the host, which forwards what one reports to the other (node numbers are already the receiver's).

/** How a diff is shown (`onnxLens.diff.layout`): over the second model only, or both models side by side. */
export type DiffLayout = 'overlay' | 'sideBySide';

/**
 * Where one side looks: its camera, and the node near the middle of its view as the other side's node
 * (its partner) with the screen point of its centre; the other side puts that node there, at the same scale.
 */
export interface DiffCamera {
  x: number;
  y: number;
  scale: number;
  anchor?: { node: number; screenX: number; screenY: number };
}

export type DiffSync = { kind: 'camera'; camera: DiffCamera } | { kind: 'select'; node: number };

/**
 * A ModelView as columns and a string table (src/core/graph/viewWire.ts; viewBytes.ts encodes it, the
 * webview reads it): postMessage moves bytes without building a string or an object graph on the host's thread.
 */
export type ModelViewBytes = Uint8Array;

/** Host -> webview events. */
export type HostEvent =
  | { type: 'model'; view: ModelViewBytes; settings: EditorSettings }
  /**
   * The same model, edited (or an edit undone): the webview keeps its camera, open groups and selection;
   * where the graph's structure is the same it keeps the layout's arrangement too.
   */
  | { type: 'modelUpdate'; view: ModelViewBytes }
  | { type: 'error'; fileName: string; message: string }
  | { type: 'settings'; settings: EditorSettings }
  | { type: 'revealNode'; nodeName: string; graph?: string }
  /** Marks a set of main-graph nodes (a module's) and frames them; `label` says what they are. */
  | { type: 'revealNodes'; nodeNames: string[]; label: string }
  | { type: 'runtimeOverlay'; overlay: RuntimeOverlay | null }
  | { type: 'find' }
  | { type: 'revealProblem'; location: RevealLocation }
  | { type: 'problems'; summary: ProblemsSummary }
  /** A model diff laid over this (the second) model's main graph; null removes it. */
  | { type: 'diffOverlay'; overlay: DiffOverlay | null }
  /** F7 / Shift+F7: select and frame the next (1) or previous (-1) change stop. */
  | { type: 'diffStep'; delta: 1 | -1 }
  /** How the diff is shown now (the legend's toggle says which); camera and selection follow the paired editor when side by side. */
  | { type: 'diffLayout'; layout: DiffLayout }
  /** The paired editor moved its camera or selected a node: follow it without reporting back. */
  | { type: 'diffSync'; sync: DiffSync };

/** Webview -> host events. */
export type WebviewEvent =
  | { type: 'ready' }
  /** The model just sent is drawn (or its error shown): the host's own work on it may start now. */
  | { type: 'painted' }
  | { type: 'showLog' }
  | { type: 'nodeSelected'; nodeName: string }
  /** What is selected now (a node, a value, nothing), for the edit commands run from the palette. */
  | { type: 'selection'; target: EditTarget | null }
  /** The user asked for an edit from the side panel. */
  | { type: 'edit'; action: EditAction; target: EditTarget }
  | { type: 'showProblems' }
  | { type: 'fixProblems' }
  /** The user chose a layout direction for this model: the host remembers it per model. */
  | { type: 'direction'; direction: 'TB' | 'LR' }
  /** The diff legend asks to run both models and paint where their numbers part (the overlay's `divergence`). */
  | { type: 'diffNumbers' }
  /** Side by side: this editor's camera moved or the user selected a node; the host forwards it to the paired editor. */
  | { type: 'diffSync'; sync: DiffSync }
  /** The legend's layout toggle: switch between the overlay and side by side. */
  | { type: 'diffToggleLayout' };

/** Requests the webview makes; the host answers each. */
export interface WebviewRequests {
  graph: { params: { graph: string }; result: GraphView };
  node: { params: { graph: string; node: number }; result: NodeDetail };
  tensor: { params: { ref: TensorRef; offset: number; count: number }; result: TensorDetail };
  save: { params: { format: 'svg' | 'png'; data: string | Uint8Array; suggestedName: string }; result: { saved: boolean; path?: string } };
  /** Opens a stack frame's file at its line beside the graph; `opened: false` when it is not here (with why). */
  openSource: { params: { file: string; line: number }; result: { opened: boolean; message?: string } };
}

/** Requests the host makes; the webview answers each. */
export interface HostRequests {
  export: { params: { format: 'svg' | 'png' }; result: { data: string | Uint8Array; suggestedName: string } };
}

type RequestMap<R> = { [K in keyof R]: { params: unknown; result: unknown } };

export type RequestEnvelope<R extends RequestMap<R>> = {
  [K in keyof R & string]: { kind: 'request'; id: number; type: K; params: R[K]['params'] };
}[keyof R & string];

export interface ReplyEnvelope {
  kind: 'reply';
  id: number;
  result?: unknown;
  error?: string;
}

export type EventEnvelope<E> = { kind: 'event'; event: E };

/** Everything the host posts to the webview. */
export type ToWebview = EventEnvelope<HostEvent> | RequestEnvelope<HostRequests> | ReplyEnvelope;
/** Everything the webview posts to the host. */
export type ToHost = EventEnvelope<WebviewEvent> | RequestEnvelope<WebviewRequests> | ReplyEnvelope;

type Handlers<R extends RequestMap<R>> = { [K in keyof R & string]: (params: R[K]['params']) => R[K]['result'] | Promise<R[K]['result']> };

/**
 * One side of the channel: sends events and requests, answers the other side's requests, and routes
 * replies back to the promise that asked. `Out`/`In` are the request maps this side sends / answers.
 */
export class MessageHandler<OutEvent, InEvent, Out extends RequestMap<Out>, In extends RequestMap<In>> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(
    private readonly post: (message: EventEnvelope<OutEvent> | RequestEnvelope<Out> | ReplyEnvelope) => void,
    private readonly handlers: Handlers<In>,
    private readonly onEvent: (event: InEvent) => void,
  ) {}

  event(event: OutEvent): void {
    this.post({ kind: 'event', event });
  }

  request<K extends keyof Out & string>(type: K, params: Out[K]['params']): Promise<Out[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ kind: 'request', id, type, params } as RequestEnvelope<Out>);
    });
  }

  /** Feed every message received from the other side through here. */
  async receive(message: EventEnvelope<InEvent> | RequestEnvelope<In> | ReplyEnvelope): Promise<void> {
    if (!message || typeof message !== 'object') return;
    if (message.kind === 'event') this.onEvent(message.event);
    else if (message.kind === 'reply') {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiting.reject(new Error(message.error));
      else waiting.resolve(message.result);
    } else if (message.kind === 'request') {
      const handler = this.handlers[message.type as keyof In & string] as ((params: unknown) => unknown) | undefined;
      try {
        if (!handler) throw new Error(`Unknown request '${message.type}'.`);
        const result = await handler(message.params);
        this.post({ kind: 'reply', id: message.id, result });
      } catch (error) {
        const text = error instanceof Error ? error.message.split('\n', 1)[0] : String(error);
        this.post({ kind: 'reply', id: message.id, error: text || 'Unknown error.' });
      }
    }
  }

  /** Rejects what is still waiting, e.g. when the panel closes. */
  dispose(): void {
    for (const waiting of this.pending.values()) waiting.reject(new Error('The editor was closed.'));
    this.pending.clear();
  }
}

// The test run results view (a webview panel of its own): what the host posts, and what the view asks.

/** The inputs of a run: the spec it used (the view edits a copy) and what each input was fed. */
export interface InputsView {
  spec: InputSpec;
  table: InputTable;
  /** Names to show for the spec's files (relative to the workspace), by path. */
  fileLabels: Record<string, string>;
}

export interface ResultsData {
  modelName: string;
  /** The second model's file name, for a comparison. */
  otherModelName?: string;
  finishedAt: string;
  /** Models below onnxruntime's oldest opset that ran upgraded in memory: 'ran as opset 7: upgraded in memory from opset 6'. */
  upgrades: string[];
  inputs: InputsView;
  report: TestRunReport;
  tolerance: { rtol: number; atol: number };
  warmup: number;
  /** onnxruntime-node's version and the execution providers it lists. */
  runtime: { version: string; providers: Array<{ name: string; bundled: boolean }> };
  capture?: {
    values: number;
    subgraphValues: number;
    skipped: number;
    profileRuns: number;
    slowest: Array<{ name: string; opType: string; msPerRun: number; share: number }>;
  };
  /** Capture is off in the settings: the view offers to turn it on. */
  captureOff: boolean;
}

/** A run that did not finish: its one-line error, and the inputs to edit for the next try. */
export interface FailureData {
  modelName: string;
  otherModelName?: string;
  message: string;
  /** Undefined when the view keeps the inputs it shows (or had none to show). */
  inputs?: InputsView;
}

export type ToResultsView =
  | { type: 'results'; data: ResultsData }
  | { type: 'failed'; data: FailureData }
  | { type: 'running'; step: string }
  /** The answer to pickFile: no path when the user cancelled or the file was refused. */
  | { type: 'filePicked'; input: string; path?: string; label?: string };

export type FromResultsView =
  | { type: 'ready' }
  /** Run again with the inputs as edited in the view. */
  | { type: 'rerun'; spec: InputSpec; capture: boolean }
  | { type: 'pickFile'; input: string }
  | { type: 'copyJson' }
  | { type: 'revealNode'; name: string };

// The Try Request panel of the served model (a webview panel of its own): a form from the model's inputs;
// the host sends the request over HTTP and posts the answer.

export interface TryInputView {
  name: string;
  datatype: string;
  /** The model's dims as text: sizes and symbols (`batch`, `?`). */
  dims: string[];
  /** The example's shape and how it came about (`generated (normal)`, `assumed: time`), when there is one. */
  example?: { shape: number[]; note: string };
  /** The example's values as nested JSON lists, to start editing from (small inputs only). */
  exampleJson?: string;
}

export interface TryModelView {
  modelName: string;
  inferUrl: string;
  inputs: TryInputView[];
  /** The input specification the example follows (`generated (normal, seed 0); --dims time=512`). */
  exampleSummary: string;
  /** Why there is no example (the model's inputs cannot be made up): every input needs JSON or a file. */
  problem?: string;
}

export type ToTryView =
  | { type: 'model'; model: TryModelView }
  | { type: 'sending' }
  | { type: 'answer'; answer: TryAnswer; at: string }
  /** The request could not be made (a value that is not JSON, a file that cannot be read). */
  | { type: 'failed'; message: string }
  /** The answer to pickFile: no path when the user cancelled. */
  | { type: 'filePicked'; input: string; path?: string; label?: string }
  /** Serving stopped: the form stays, Send is off. */
  | { type: 'stopped' };

export type FromTryView =
  | { type: 'ready' }
  | { type: 'send'; choices: Record<string, InputChoice>; binary: boolean }
  | { type: 'pickFile'; input: string };
