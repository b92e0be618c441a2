// ONNX: Serve Model, Stop Serving, Send Test Request, Try Request and Copy Inference Snippet. The extension
// host only listens and hands connections over: the server's child processes answer the requests and run
// onnxruntime, never this process. Their counts reach the status bar twice a second.
// The example request (test request, Try panel, snippets) follows the model's remembered input
// specification, the one test runs use, asking once for sizes nothing in the model gives.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { readModelFile } from '../core/model/decode.js';
import { formatDuration } from '../core/format.js';
import type { InputSpec } from '../core/runtime/inputSpec.js';
import { assumptionText, fedText } from '../core/runtime/inputReport.js';
import { exampleRequest, jsonRequestBody } from '../core/serve/exampleRequest.js';
import { sendInferRequest } from '../core/serve/inferClient.js';
import { isLoopback, ModelServer } from '../core/serve/server.js';
import { modelSignature, servingName } from '../core/serve/signature.js';
import { inferenceSnippet, snippetLanguages, type SnippetLanguage } from '../core/serve/snippets.js';
import type { HostServices } from '../services/hostServices.js';
import { rememberedSpec } from './inputSpecPrompt.js';
import { ReportDocuments } from './reportDocuments.js';
import { TryRequestPanel } from './serveTryPanel.js';
import { pickTargetUri, showError } from './transformRunner.js';

const languageIds: Record<SnippetLanguage, string> = { python: 'python', node: 'javascript', csharp: 'csharp', curl: 'shellscript' };
const languageLabels: Record<SnippetLanguage, string> = { python: 'Python (onnxruntime)', node: 'Node.js (onnxruntime-node)', csharp: 'C# (Microsoft.ML.OnnxRuntime)', curl: 'curl (against Serve Model)' };

/** The one running endpoint, its status bar item and the timer that refreshes it. */
class Serving implements vscode.Disposable {
  private server?: ModelServer;
  private model?: vscode.Uri;
  private timer?: ReturnType<typeof setInterval>;
  private readonly item = vscode.window.createStatusBarItem('onnxLens.serving', vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly log: vscode.LogOutputChannel, private readonly onStopped: () => void) {
    this.item.name = 'ONNX Lens Serving';
    this.item.command = 'onnxLens.servingActions';
  }

  get current(): { server: ModelServer; model: vscode.Uri } | undefined {
    return this.server && this.model ? { server: this.server, model: this.model } : undefined;
  }

  /**
   * `spec` makes the example request only: the remembered sizes answer "what size for a test", so they
   * do not fix the endpoint's dims (the CLI's --shape and --dims do).
   */
  async start(uri: vscode.Uri, spec: InputSpec): Promise<ModelServer> {
    await this.stop();
    const c = vscode.workspace.getConfiguration('onnxLens.serve');
    const host = c.get<string>('host', '127.0.0.1');
    this.server = await ModelServer.start({
      modelPath: uri.fsPath, host, inputSpec: spec, fixGivenDims: false, port: c.get<number>('port', 8000), instances: Math.max(1, c.get<number>('instances', 1)),
      queueLimit: Math.max(0, c.get<number>('queueLimit', 64)), log: (line) => this.log.warn(`Serve: ${line}`),
    });
    this.model = uri;
    this.log.info(`Serving ${uri.fsPath} at ${this.server.url} (infer: ${this.server.inferUrl})`);
    void vscode.commands.executeCommand('setContext', 'onnxLens.serving', true);
    this.refresh();
    this.timer = setInterval(() => this.refresh(), 1000);
    this.item.show();
    return this.server;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const server = this.server;
    this.server = undefined;
    this.model = undefined;
    this.item.hide();
    void vscode.commands.executeCommand('setContext', 'onnxLens.serving', false);
    this.onStopped();
    if (server) {
      const s = server.stats();
      await server.close();
      this.log.info(`Stopped serving ${server.signature.name}: ${s.requests} requests, ${s.errors} errors, ${s.rejected} refused busy.`);
    }
  }

  private refresh(): void {
    const server = this.server;
    if (!server) return;
    const s = server.stats();
    const ms = (v: number | undefined) => (v === undefined ? '–' : formatDuration(v));
    this.item.text = `$(broadcast) ${server.signature.name} · ${s.requests} req · p50 ${ms(s.p50Ms)} · p99 ${ms(s.p99Ms)}`;
    const tooltip = new vscode.MarkdownString(`**ONNX: serving** \`${basename(this.model?.fsPath ?? '')}\`\n\n${server.inferUrl}\n\n`
      + `${s.requests} requests, ${s.errors} errors, ${s.rejected} refused busy; ${s.running} running, ${s.queued} waiting.\n\nClick for actions.`);
    this.item.tooltip = tooltip;
  }

  dispose(): void {
    void this.stop();
    this.item.dispose();
  }
}

/** Sends the example request (the input specification's inputs) and shows the answer and its timing, read-only. */
async function sendTestRequest(server: ModelServer, responses: ReportDocuments): Promise<void> {
  const example = server.example;
  if ('problem' in example) throw new Error(`No example request for ${server.signature.name}: ${example.problem}`);
  const answer = await sendInferRequest(server.inferUrl, example.tensors);
  const outputs = answer.outputs?.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.array.dims, data: jsonRequestBody([{ ...o }]).inputs[0].data.slice(0, 64) }));
  const body = JSON.stringify(answer.error !== undefined ? { error: answer.error } : { outputs }, null, 2);
  const request = JSON.stringify(jsonRequestBody(example.tensors));
  const header = [
    `// POST ${server.inferUrl}: ${answer.status} ${answer.statusText} in ${formatDuration(answer.ms)}`,
    `// inputs: ${example.summary}`,
    ...example.fed.map((f) => `//   ${fedText(f)}`),
    ...example.assumptions.map((a) => `// assumed: ${assumptionText(a)}`),
    `// request: ${request.length > 2000 ? `${request.slice(0, 2000)}…` : request}`,
    ...(outputs?.some((o) => o.data.length === 64) ? ['// (each output\'s first 64 values)'] : []),
    '',
  ].join('\n');
  await responses.open(`${server.signature.name} test request`, header + body, 'jsonc');
}

export function registerServeCommands(services: HostServices): vscode.Disposable {
  const { log } = services;
  const tryPanel = new TryRequestPanel(services.context.extensionUri, log);
  const serving = new Serving(log, () => tryPanel.stopped());
  const responses = new ReportDocuments('onnx-lens-serve');
  const run = (what: string, fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (error) {
      showError(error, log, what);
    }
  };
  return vscode.Disposable.from(
    serving,
    tryPanel,
    responses,
    vscode.commands.registerCommand('onnxLens.serveModel', (arg: unknown) => run('Serve Model', async () => {
      const uri = await pickTargetUri(arg, 'Serve');
      if (!uri) return;
      const host = vscode.workspace.getConfiguration('onnxLens.serve').get<string>('host', '127.0.0.1');
      if (!isLoopback(host)) {
        const go = 'Serve on ' + host;
        const answer = await vscode.window.showWarningMessage(`onnxLens.serve.host is ${host}.`, { modal: true, detail: 'Anyone who can reach this address can run the model: the endpoint has no authentication.' }, go);
        if (answer !== go) return;
      }
      const { model } = await readModelFile(uri.fsPath);
      const spec = await rememberedSpec(services, uri, model, 'Serve Model');
      if (!spec) return;
      const server = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Serve Model: loading ${basename(uri.fsPath)}` }, () => serving.start(uri, spec));
      if ('problem' in server.example) log.warn(`Serve: no example request for ${server.signature.name}: ${server.example.problem}`);
      const copy = 'Copy URL';
      const test = 'Send Test Request';
      const tryIt = 'Try Request...';
      const answer = await vscode.window.showInformationMessage(`Serving ${server.signature.name} at ${server.url} (Open Inference Protocol).`, tryIt, test, copy);
      if (answer === copy) await vscode.env.clipboard.writeText(server.inferUrl);
      if (answer === test) await sendTestRequest(server, responses);
      if (answer === tryIt) tryPanel.show(server, uri);
    })()),
    vscode.commands.registerCommand('onnxLens.stopServing', run('Stop Serving', () => serving.stop())),
    vscode.commands.registerCommand('onnxLens.sendTestRequest', run('Send Test Request', async () => {
      const current = serving.current;
      if (!current) throw new Error('Nothing is being served: run ONNX: Serve Model first.');
      await sendTestRequest(current.server, responses);
    })),
    vscode.commands.registerCommand('onnxLens.tryRequest', run('Try Request', async () => {
      const current = serving.current;
      if (!current) throw new Error('Nothing is being served: run ONNX: Serve Model first.');
      tryPanel.show(current.server, current.model);
    })),
    vscode.commands.registerCommand('onnxLens.servingActions', run('Serving', async () => {
      const current = serving.current;
      if (!current) return;
      const items = [
        { label: '$(debug-stop) Stop Serving', command: 'onnxLens.stopServing' },
        { label: '$(beaker) Try Request...', command: 'onnxLens.tryRequest' },
        { label: '$(send) Send Test Request', command: 'onnxLens.sendTestRequest' },
        { label: '$(copy) Copy Infer URL', command: 'copy' },
        { label: '$(output) Show Log', command: 'onnxLens.showLog' },
      ];
      const picked = await vscode.window.showQuickPick(items, { title: `Serving ${current.server.signature.name} at ${current.server.url}` });
      if (picked?.command === 'copy') await vscode.env.clipboard.writeText(current.server.inferUrl);
      else if (picked) await vscode.commands.executeCommand(picked.command);
    })),
    vscode.commands.registerCommand('onnxLens.copySnippet', (arg: unknown) => run('Copy Inference Snippet', async () => {
      const uri = await pickTargetUri(arg, 'Snippet');
      if (!uri) return;
      const picked = await vscode.window.showQuickPick(snippetLanguages.map((lang) => ({ label: languageLabels[lang], lang })), { title: `Inference snippet for ${basename(uri.fsPath)}` });
      if (!picked) return;
      const { model } = await readModelFile(uri.fsPath);
      const spec = await rememberedSpec(services, uri, model, 'Inference Snippet');
      if (!spec) return;
      const signature = modelSignature(model, servingName(uri.fsPath));
      const current = serving.current;
      const example = exampleRequest(signature, model, spec);
      const code = inferenceSnippet(picked.lang, signature, { modelPath: uri.fsPath, example, ...(current ? { url: current.server.url } : {}) });
      await vscode.env.clipboard.writeText(code);
      const document = await vscode.workspace.openTextDocument({ language: languageIds[picked.lang], content: code });
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      void vscode.window.showInformationMessage(`${languageLabels[picked.lang]} snippet copied to the clipboard.`);
    })()),
  );
}
