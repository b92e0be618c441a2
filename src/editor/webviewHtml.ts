// The webview page: strict CSP (nonce scripts, no eval, no inline handlers), theme-aware CSS.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export function nonce(): string {
  return randomBytes(16).toString('base64');
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const n = nonce();
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data: blob:`,
    // The nonce lets the toolkit's one probe stylesheet (for :focus-visible) in; no inline styles otherwise.
    `style-src ${webview.cspSource} 'nonce-${n}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
    // The layout worker's script is fetched from the extension and started from a blob: URL.
    `connect-src ${webview.cspSource}`,
    `worker-src blob:`,
  ];
  const head = `<meta property="csp-nonce" content="${n}">
<link rel="stylesheet" href="${asset('dist', 'webview.css')}">
<link rel="stylesheet" href="${asset('media', 'editor.css')}">`;
  const body = `<div id="app" aria-label="ONNX model ${escapeHtml(title)}" data-worker="${asset('dist', 'layout-worker.js')}"><p class="loading">Reading model…</p></div>
<script nonce="${n}" src="${asset('dist', 'webview.js')}"></script>`;
  return htmlPage(csp, title, head, body);
}

/** A webview page: its Content-Security-Policy first, then `head`, the escaped title and `body`. */
export function htmlPage(csp: string[], title: string, head: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp.join('; ')}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${head}
<title>${escapeHtml(title)}</title>
</head>
<body>
${body}
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
