// The model checker for every open model editor: run in a worker thread once the editor has been sent
// its model (and again after the file changed), published in the Problems panel under the model's URI,
// summed up in the editor's model panel, and cleared when the model's last editor closes.
//
// A binary custom editor has no text ranges, and VS Code passes none of a clicked problem's position to
// it. What does reach the extension is the diagnostic's code link: VS Code opens its target with
// commands allowed, so each problem's code is a `command:` link that reveals its node in the graph.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { checkInWorker } from '../core/check/checkInWorker.js';
import { fixableProblems } from '../core/check/fixes.js';
import { countBySeverity, describeLocation, type Problem, type Severity } from '../core/check/index.js';
import { oneLine } from '../core/errors.js';
import type { ModelProto } from '../core/model/proto.js';
import type { ProblemsSummary, RevealLocation } from '../protocol.js';
import type { EditorRegistry } from './editorRegistry.js';
import type { EditorSession } from './editorSession.js';
import type { ModelDocument } from './modelDocument.js';

export const REVEAL_PROBLEM_COMMAND = 'onnxLens.revealProblem';
const SOURCE = 'onnx-lens';

const severities: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** One open model: the check of its current decoded model, running or done. */
interface Entry {
  document: ModelDocument;
  /** The decoded model the result belongs to (the document replaces it on reload). */
  model?: ModelProto;
  problems?: Problem[];
  failed?: string;
  running?: AbortController;
  done?: Promise<Problem[] | undefined>;
  reloads: vscode.Disposable;
}

/** The command link that reveals a problem's place in the model editor. */
export function revealLink(uri: vscode.Uri, location: RevealLocation): vscode.Uri {
  return vscode.Uri.parse(`command:${REVEAL_PROBLEM_COMMAND}?${encodeURIComponent(JSON.stringify([uri.toString(), location]))}`);
}

export function toDiagnostic(uri: vscode.Uri, problem: Problem, fixable: boolean): vscode.Diagnostic {
  const where = problem.where;
  const place = describeLocation(where);
  const hint = fixable ? '; ONNX: Fix Model Problems... fixes it' : '';
  // The message first, as VS Code lists it; then where, since the row's line and column mean nothing here.
  const diagnostic = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${problem.message} [${place}${hint}]`, severities[problem.severity]);
  diagnostic.source = SOURCE;
  const location: RevealLocation = { graph: where.graph, node: where.node, value: where.value };
  diagnostic.code = { value: problem.rule, target: revealLink(uri, location) };
  return diagnostic;
}

export function summarize(entry: { problems?: Problem[]; failed?: string }): ProblemsSummary {
  if (entry.failed !== undefined) return { state: 'failed', errors: 0, warnings: 0, infos: 0, fixable: false, message: entry.failed };
  if (!entry.problems) return { state: 'checking', errors: 0, warnings: 0, infos: 0, fixable: false };
  const c = countBySeverity(entry.problems);
  return { state: 'done', errors: c.error, warnings: c.warning, infos: c.info, fixable: fixableProblems(entry.problems).size > 0 };
}

export class ModelProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(SOURCE);
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[];
  /** Fires when a model's problems were published (or cleared). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly editors: EditorRegistry, private readonly log: vscode.LogOutputChannel) {
    this.disposables = [
      this.collection,
      this.changed,
      editors.onDidAdd((session) => this.track(session)),
      // After the model was posted to the webview: the check never delays the first paint.
      editors.onDidBecomeReady((session) => this.onReady(session)),
      editors.onDidRemove((session) => this.untrack(session)),
    ];
  }

  /** The problems of an open model's current contents, waiting for a running check; undefined when not open or not decodable. */
  async problemsOf(uri: vscode.Uri): Promise<Problem[] | undefined> {
    const entry = this.entries.get(uri.toString());
    if (!entry) return undefined;
    if (entry.model !== entry.document.model || (!entry.problems && !entry.done)) this.start(entry);
    return entry.problems ?? (await entry.done);
  }

  private track(session: EditorSession): void {
    const key = session.uri.toString();
    if (this.entries.has(key)) return;
    const document = session.document;
    const entry: Entry = { document, reloads: new vscode.Disposable(() => undefined) };
    // An edit or a change on disk: the session posts the new model first (it subscribed before us), then we check it.
    entry.reloads = document.onDidChangeModel(() => this.start(entry));
    this.entries.set(key, entry);
  }

  private untrack(session: EditorSession): void {
    const key = session.uri.toString();
    if (this.editors.sessionsFor(session.uri).length > 0) return;
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.running?.abort();
    entry.reloads.dispose();
    this.entries.delete(key);
    this.collection.delete(session.uri);
    this.changed.fire(session.uri);
  }

  private onReady(session: EditorSession): void {
    const entry = this.entries.get(session.uri.toString());
    if (!entry) return;
    if (entry.model === entry.document.model && (entry.problems || entry.failed !== undefined || entry.done)) {
      // A webview shown again: it gets the result it already had.
      session.post({ type: 'problems', summary: summarize(entry) });
      return;
    }
    this.start(entry);
  }

  /** Checks the document's current model (again), replacing a check that is still running. */
  private start(entry: Entry): void {
    entry.running?.abort();
    const { document } = entry;
    const model = document.model;
    entry.model = model;
    entry.problems = undefined;
    entry.failed = undefined;
    entry.done = undefined;
    if (!model) {
      // Not a model: the editor shows why, in one line; the Problems panel has nothing to add.
      this.collection.delete(document.uri);
      entry.problems = [];
      this.changed.fire(document.uri);
      return;
    }
    const controller = new AbortController();
    entry.running = controller;
    this.editors.post(document.uri, { type: 'problems', summary: summarize(entry) });
    const started = Date.now();
    entry.done = this.check(document, controller.signal).then(
      (problems) => {
        if (controller.signal.aborted) return undefined;
        entry.problems = problems;
        this.publish(entry, problems);
        this.log.info(`Checked ${document.fileName}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${Date.now() - started} ms`);
        return problems;
      },
      (error: unknown) => {
        if (controller.signal.aborted) return undefined;
        entry.failed = oneLine(error);
        this.collection.delete(document.uri);
        this.log.warn(`Checking ${document.fileName} failed: ${entry.failed}`);
        return undefined;
      },
    ).finally(() => {
      if (entry.running !== controller) return;
      entry.running = undefined;
      this.editors.post(document.uri, { type: 'problems', summary: summarize(entry) });
      this.changed.fire(document.uri);
    });
  }

  /** In a worker thread: the file itself when it is local (external data resolves), else its bytes. */
  private async check(document: ModelDocument, signal: AbortSignal): Promise<Problem[]> {
    const uri = document.uri;
    if (uri.scheme === 'file') return checkInWorker({ path: uri.fsPath, modelDir: dirname(uri.fsPath) }, signal);
    const bytes = await vscode.workspace.fs.readFile(uri);
    return checkInWorker({ bytes: new Uint8Array(bytes) }, signal);
  }

  private publish(entry: Entry, problems: Problem[]): void {
    const uri = entry.document.uri;
    const fixable = new Set([...fixableProblems(problems).values()].flat());
    this.collection.set(uri, problems.map((p) => toDiagnostic(uri, p, fixable.has(p))));
  }

  dispose(): void {
    for (const entry of this.entries.values()) {
      entry.running?.abort();
      entry.reloads.dispose();
    }
    this.entries.clear();
    this.disposables.forEach((d) => d.dispose());
  }
}
