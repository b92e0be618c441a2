// The test run results view: one webview panel per model, rendered by dist/runtime-view.js from posted
// data (textContent only), under a strict CSP. Its inputs table edits the input specification; the
// edited spec comes back with "Run Again" and is checked here before anything runs.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import type { InputSpec } from '../core/runtime/inputSpec.js';
import { readInputSpec } from '../core/runtime/inputSpecEdit.js';
import { htmlPage, nonce as makeNonce } from '../editor/webviewHtml.js';
import type { FailureData, FromResultsView, ResultsData, ToResultsView } from '../protocol.js';

export interface PanelActions {
  rerun(spec: InputSpec, capture: boolean): void;
  /** A file for one input, from a file dialog; undefined when cancelled or refused. */
  pickFile(input: string): Promise<{ path: string; label: string } | undefined>;
  revealNode(name: string): void;
}

/** The open results views, one per model. */
export class TestRunPanels implements vscode.Disposable {
  private readonly panels = new Map<string, TestRunPanel>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** The panel of `modelUri` (created beside the editor if needed), brought to front. */
  forModel(modelUri: vscode.Uri, title: string, actions: PanelActions): TestRunPanel {
    const key = modelUri.toString();
    const existing = this.panels.get(key);
    if (existing) {
      existing.update(title, actions);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel('onnxLens.testRunResults', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
      retainContextWhenHidden: false,
    });
    panel.webview.html = html(panel.webview, this.extensionUri, title);
    const created = new TestRunPanel(panel, actions, () => this.panels.delete(key));
    this.panels.set(key, created);
    return created;
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.close();
  }
}

export class TestRunPanel {
  /** What the view shows, posted again when its webview reloads. */
  private shown?: Extract<ToResultsView, { type: 'results' | 'failed' }>;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly panel: vscode.WebviewPanel, private actions: PanelActions, private readonly onClosed: () => void) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((message: FromResultsView) => this.receive(message)),
    );
  }

  /** A new run of the same model: its title and actions, brought to front. */
  update(title: string, actions: PanelActions): void {
    this.actions = actions;
    this.panel.title = title;
    this.panel.reveal(undefined, true);
  }

  close(): void {
    this.panel.dispose();
  }

  showRunning(step: string): void {
    this.post({ type: 'running', step });
  }

  show(data: ResultsData): void {
    this.shown = { type: 'results', data };
    if (this.ready) this.post(this.shown);
  }

  /** A run that failed; with `inputs`, the table to edit for the next try. */
  showFailure(data: FailureData): void {
    // A failure that brings no inputs keeps the results (and edits) the view shows.
    if (data.inputs || this.shown?.type !== 'results') this.shown = { type: 'failed', data };
    if (this.ready) this.post({ type: 'failed', data });
  }

  private post(message: ToResultsView): void {
    void this.panel.webview.postMessage(message);
  }

  private receive(message: FromResultsView): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.shown) this.post(this.shown);
        break;
      case 'rerun': {
        let spec: InputSpec;
        try {
          spec = readInputSpec(message.spec);
        } catch (error) {
          void vscode.window.showErrorMessage(`Test run: ${oneLine(error)}`);
          break;
        }
        this.actions.rerun(spec, message.capture === true);
        break;
      }
      case 'pickFile':
        if (typeof message.input === 'string') {
          const input = message.input;
          void this.actions.pickFile(input).then((file) => this.post({ type: 'filePicked', input, ...file }), () => this.post({ type: 'filePicked', input }));
        }
        break;
      case 'copyJson':
        if (this.shown) void vscode.env.clipboard.writeText(JSON.stringify(this.shown.data, null, 2)).then(() => vscode.window.setStatusBarMessage('Test run results copied as JSON', 3000));
        break;
      case 'revealNode':
        if (typeof message.name === 'string') this.actions.revealNode(message.name);
        break;
    }
  }

  private dispose(): void {
    this.onClosed();
    for (const d of this.disposables) d.dispose();
  }
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'runtime-view.js')).toString();
  const csp = [`default-src 'none'`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`];
  return htmlPage(csp, title, `<style nonce="${nonce}">${styles}</style>`, `<main id="app" aria-live="polite"><p class="muted">Running…</p></main>
<script nonce="${nonce}" src="${script}"></script>`);
}

const styles = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 24px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
h2 { font-size: 1.1em; font-weight: 600; margin: 22px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding-bottom: 4px; }
.muted { color: var(--vscode-descriptionForeground); }
.badge { font-size: 0.75em; font-weight: 600; padding: 2px 8px; border-radius: 10px; }
.badge.pass { background: var(--vscode-testing-iconPassed, #388a34); color: var(--vscode-editor-background); }
.badge.fail { background: var(--vscode-testing-iconFailed, #c72e0f); color: var(--vscode-editor-background); }
.badge.none { background: var(--vscode-badge-background); color: var(--vscode-badge-foreground); }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 12px 3px 0; vertical-align: top; white-space: nowrap; }
.scroll { overflow-x: auto; max-width: 100%; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); }
td.num { text-align: right; font-family: var(--vscode-editor-font-family); }
td.code, span.code { font-family: var(--vscode-editor-font-family); }
td.preview { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); min-width: 20em; max-width: 40em; white-space: normal; overflow-wrap: anywhere; }
tr.fail td { color: var(--vscode-errorForeground); }
.ok { color: var(--vscode-testing-iconPassed, inherit); }
.bad { color: var(--vscode-errorForeground); }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; margin: 4px 0; }
dt { color: var(--vscode-descriptionForeground); }
dd { margin: 0; }
.actions { display: flex; gap: 8px; margin: 12px 0 4px; flex-wrap: wrap; }
button { font-family: inherit; font-size: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible, a:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
a { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: none; }
a:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
.bar { display: inline-block; height: 8px; background: var(--vscode-charts-orange, var(--vscode-progressBar-background)); vertical-align: middle; border-radius: 1px; }
.running { color: var(--vscode-descriptionForeground); font-style: italic; }
input, select { font-family: inherit; font-size: inherit; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-widget-border, transparent)); border-radius: 2px; padding: 2px 4px; }
select { color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border-color: var(--vscode-dropdown-border, transparent); }
input:focus, select:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
input::placeholder { color: var(--vscode-input-placeholderForeground); }
input.invalid { border-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
input[type=number] { width: 5.5em; font-family: var(--vscode-editor-font-family); }
input.value { width: 16em; font-family: var(--vscode-editor-font-family); }
select:disabled { opacity: 0.6; }
.inputs-bar { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin: 4px 0 8px; }
.sizes { display: flex; gap: 10px; align-items: flex-start; }
.axis { display: inline-flex; flex-direction: column; align-items: flex-start; gap: 2px; }
.axis.fixed .code { padding: 3px 0; }
.axis .caption { font-size: 0.85em; color: var(--vscode-descriptionForeground); font-family: var(--vscode-editor-font-family); }
.assumed { font-size: 0.85em; color: var(--vscode-editorWarning-foreground, var(--vscode-descriptionForeground)); }
.pending { color: var(--vscode-editorInfo-foreground, var(--vscode-descriptionForeground)); }
.failure { white-space: normal; overflow-wrap: anywhere; }
`;
