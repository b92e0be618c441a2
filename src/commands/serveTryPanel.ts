// The Try Request panel of the served model: one webview panel, rendered by dist/serve-try-view.js from
// posted data (textContent only) under a strict CSP. Its form comes from the model's inputs; the request
// itself is sent from here, the extension host, over real HTTP to the running server.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import type { FedInput } from '../core/runtime/inputReport.js';
import type { ModelServer } from '../core/serve/server.js';
import { nestedJson, requestTensors, tryRequest } from '../core/serve/tryRequest.js';
import { htmlPage, nonce as makeNonce } from '../editor/webviewHtml.js';
import type { FromTryView, ToTryView, TryModelView } from '../protocol.js';

export class TryRequestPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private server?: ModelServer;
  private model?: vscode.Uri;
  private ready = false;
  private disposables: vscode.Disposable[] = [];

  constructor(private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel) {}

  /** Opens (or brings to front) the panel for `server`, serving `model`. */
  show(server: ModelServer, model: vscode.Uri): void {
    this.server = server;
    this.model = model;
    const title = `Try ${server.signature.name}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, false);
      if (this.ready) this.post({ type: 'model', model: this.view(server) });
      return;
    }
    const panel = vscode.window.createWebviewPanel('onnxLens.tryRequest', title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist')],
      retainContextWhenHidden: true,
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = html(panel.webview, this.extensionUri, title);
    this.disposables = [
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const d of this.disposables) d.dispose();
        this.disposables = [];
      }),
      panel.webview.onDidReceiveMessage((message: FromTryView) => void this.receive(message)),
    ];
  }

  /** Serving stopped: the panel keeps its form and last answer, and cannot send. */
  stopped(): void {
    this.server = undefined;
    if (this.panel && this.ready) this.post({ type: 'stopped' });
  }

  dispose(): void {
    this.panel?.dispose();
  }

  private view(server: ModelServer): TryModelView {
    const example = server.example;
    const tensors = 'tensors' in example ? example.tensors : [];
    return {
      modelName: server.signature.name,
      inferUrl: server.inferUrl,
      exampleSummary: 'summary' in example ? example.summary : '',
      ...('problem' in example ? { problem: example.problem } : {}),
      inputs: server.signature.inputs.map((input) => {
        const tensor = tensors.find((t) => t.name === input.name);
        const fed = 'fed' in example ? example.fed.find((f) => f.name === input.name) : undefined;
        const json = tensor && nestedJson(tensor);
        return {
          name: input.name,
          datatype: input.datatype,
          dims: input.shape.map((size, axis) => (size >= 0 ? String(size) : String(input.dims[axis] ?? '?'))),
          ...(tensor ? { example: { shape: tensor.array.dims, note: fed ? exampleNote(fed) : '' } } : {}),
          ...(json !== undefined ? { exampleJson: json } : {}),
        };
      }),
    };
  }

  private post(message: ToTryView): void {
    void this.panel?.webview.postMessage(message);
  }

  private async receive(message: FromTryView): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        if (this.server) this.post({ type: 'model', model: this.view(this.server) });
        else this.post({ type: 'stopped' });
        break;
      case 'send': {
        const server = this.server;
        if (!server) {
          this.post({ type: 'stopped' });
          break;
        }
        this.post({ type: 'sending' });
        try {
          const example = 'tensors' in server.example ? server.example.tensors : [];
          const tensors = requestTensors(server.signature, example, message.choices ?? {});
          const answer = await tryRequest(server.inferUrl, tensors, message.choices ?? {}, message.binary === true);
          this.log.info(`Try request: ${answer.sent.join(', ')} -> ${answer.status} in ${answer.ms.toFixed(1)} ms${answer.error ? `: ${answer.error}` : ''}`);
          this.post({ type: 'answer', answer, at: new Date().toISOString() });
        } catch (error) {
          this.post({ type: 'failed', message: oneLine(error) });
        }
        break;
      }
      case 'pickFile': {
        const input = String(message.input);
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: this.model ? vscode.Uri.file(dirname(this.model.fsPath)) : undefined,
          filters: { 'NumPy arrays': ['npy'] },
          openLabel: `Use for ${input}`,
          title: `Values of input '${input}'`,
        });
        const path = picked?.[0]?.fsPath;
        this.post({ type: 'filePicked', input, ...(path ? { path, label: vscode.workspace.asRelativePath(path) || basename(path) } : {}) });
        break;
      }
    }
  }
}

/** `generated (normal); axes 0 assumed`, `= 16000, value assumed`, `from input_0.pb`. */
function exampleNote(fed: FedInput): string {
  const source = fed.source === 'generated' ? (fed.value !== undefined ? `= ${fed.value}` : `generated (${fed.from})`) : fed.source === 'value' ? `= ${fed.value ?? 'inline value'}` : `from ${fed.from}`;
  const notes = [
    ...(fed.assumedAxes.length ? [`${fed.assumedAxes.length === 1 ? 'axis' : 'axes'} ${fed.assumedAxes.join(', ')} assumed`] : []),
    ...(fed.assumedValue ? ['value assumed'] : []),
  ];
  return [source, ...notes].join('; ');
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = makeNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'serve-try-view.js')).toString();
  const csp = [`default-src 'none'`, `style-src 'nonce-${nonce}'`, `script-src 'nonce-${nonce}'`];
  return htmlPage(csp, title, `<style nonce="${nonce}">${styles}</style>`, `<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${script}"></script>`);
}

const styles = `
[hidden] { display: none !important; }
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 24px; }
h1 { font-size: 1.4em; font-weight: 600; margin: 16px 0 4px; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
h2 { font-size: 1.1em; font-weight: 600; margin: 22px 0 8px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding-bottom: 4px; display: flex; align-items: center; gap: 10px; }
.muted { color: var(--vscode-descriptionForeground); }
.code { font-family: var(--vscode-editor-font-family); }
.badge { font-size: 0.75em; font-weight: 600; padding: 2px 8px; border-radius: 10px; }
.badge.pass { background: var(--vscode-testing-iconPassed, #388a34); color: var(--vscode-editor-background); }
.badge.fail { background: var(--vscode-testing-iconFailed, #c72e0f); color: var(--vscode-editor-background); }
.bad { color: var(--vscode-errorForeground); white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 4px 0 8px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 3px 12px 3px 0; vertical-align: top; white-space: nowrap; }
th { color: var(--vscode-descriptionForeground); font-weight: 600; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); }
td.num { text-align: right; font-family: var(--vscode-editor-font-family); }
td.preview { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); min-width: 20em; max-width: 40em; white-space: normal; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; max-width: 100%; }
.input { margin: 10px 0 14px; }
.input .head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.input .source { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin-top: 4px; }
textarea { width: 100%; min-height: 4em; box-sizing: border-box; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size, inherit); color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, var(--vscode-widget-border, transparent)); border-radius: 2px; padding: 4px; margin-top: 4px; }
select { font-family: inherit; font-size: inherit; color: var(--vscode-dropdown-foreground); background: var(--vscode-dropdown-background); border: 1px solid var(--vscode-dropdown-border, transparent); border-radius: 2px; padding: 2px 4px; }
textarea:focus, select:focus, input:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
label { display: inline-flex; gap: 6px; align-items: center; }
.actions { display: flex; gap: 12px; margin: 12px 0 4px; flex-wrap: wrap; align-items: center; }
button { font-family: inherit; font-size: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button:disabled { opacity: 0.5; cursor: default; }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; margin: 4px 0; }
dt { color: var(--vscode-descriptionForeground); }
dd { margin: 0; }
.sending { color: var(--vscode-descriptionForeground); font-style: italic; }
`;
