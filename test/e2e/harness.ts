// End-to-end harness: the packaged extension installed into a throwaway code-server, driven through
// Debian's Chromium by playwright-core, asserting on what a user sees. See test/e2e/README.md.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { e2eRoot, exitOnSignals, installVsix, repoRoot, runDirs, startCodeServer, type RunDirs, type RunningServer } from './codeServer.js';

export const screenshotDir = join(repoRoot, 'test', 'e2e', '.screenshots');
/** Upper bound of one wait; a slow 2-core CI machine opens a model well within it. */
export const defaultTimeoutMs = Number(process.env.E2E_TIMEOUT_MS) || 30_000;
/** In CI the screenshots are gone after the run: failures also print the page's text. */
const inCi = Boolean(process.env.CI || process.env.E2E_FAILURE_TEXT);

const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** User settings of every run: nothing opens by itself, nothing phones home, hovers come quickly. */
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'files.hotExit': 'off',
  'window.restoreWindows': 'none',
  'editor.hover.delay': 200,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The run's workspace lies inside the project's git checkout: no "open the parent repository?" toast.
  'git.openRepositoryInParentFolders': 'never',
  'git.autoRepositoryDetection': false,
};

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('which', [name], { encoding: 'utf8' });
    if (found.status === 0) return found.stdout.trim();
  }
  throw new Error('Chromium is not installed: run `apt-get install chromium` (scripts/setup.sh does).');
}

/** Progress lines for slow-run diagnosis, with E2E_DEBUG=1. */
export function debug(message: string): void {
  if (process.env.E2E_DEBUG) process.stderr.write(`[e2e] ${message}\n`);
}

/** Polls fn until it returns a value other than undefined/false, or fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = defaultTimeoutMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message.split('\n')[0]})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}.`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Where the packaged extension is installed for this process (shared by a whole `npm run test:e2e`). */
let preparedExtensions: string | undefined;
function extensionsDir(): string {
  if (process.env.E2E_EXTENSIONS_DIR) return process.env.E2E_EXTENSIONS_DIR;
  if (preparedExtensions) return preparedExtensions;
  // A scenario file run on its own: package and install here (the runner does it once for all files).
  const dirs = runDirs(join(e2eRoot, 'runs', `single-${process.pid}`));
  installVsix(buildVsix(), dirs);
  return (preparedExtensions = dirs.extensions);
}

/** Builds and packages the linux .vsix that the tests install (this machine's arch); returns its path. */
export function buildVsix(): string {
  const out = join(e2eRoot, 'vsix');
  const script = join(repoRoot, 'scripts', 'package-vsix.mjs');
  const result = spawnSync(process.execPath, [script, '--target', `linux-${process.arch}`, '--out-dir', out, '--reuse'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`Packaging the extension failed:\n${result.stderr}${result.stdout}`);
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(out, `${name}-${version}-linux-${process.arch}.vsix`);
  if (!existsSync(vsix)) throw new Error(`Packaging said it succeeded but ${vsix} is missing.`);
  return vsix;
}

export type Fixture = string | Uint8Array | { copyFrom: string };

export interface LaunchOptions {
  /** Names the run's folders and screenshots. */
  name: string;
  /** Files of the workspace folder, by relative path. */
  files?: Record<string, Fixture>;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Runs on the workspace folder after its files are written, before code-server starts (a git repository). */
  prepare?: (workspace: string) => void;
}

/** One code-server with one Chromium page on a fresh workspace. */
export class Workbench {
  readonly dialogs: string[] = [];
  readonly pageErrors: string[] = [];
  private screenshotCount = 0;

  private constructor(
    readonly name: string,
    readonly workspace: string,
    readonly dirs: RunDirs,
    readonly server: RunningServer,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async launch(options: LaunchOptions): Promise<Workbench> {
    // Screenshots of an earlier run of this file would be mistaken for this run's.
    if (existsSync(screenshotDir)) {
      for (const f of readdirSync(screenshotDir)) if (f.startsWith(`${options.name}-`) && /^\d\d-/.test(f.slice(options.name.length + 1))) rmSync(join(screenshotDir, f), { force: true });
    }
    const root = join(e2eRoot, 'runs', `${options.name}-${process.pid}`);
    rmSync(root, { recursive: true, force: true });
    const dirs = runDirs(root, extensionsDir());
    const workspace = join(root, 'workspace');
    mkdirSync(workspace, { recursive: true });
    for (const [path, content] of Object.entries(options.files ?? {})) writeFixture(join(workspace, path), content);
    options.prepare?.(workspace);
    mkdirSync(join(dirs.userData, 'User'), { recursive: true });
    writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...userSettings, ...options.settings }, null, 2));

    const started = Date.now();
    const server = await startCodeServer({ dirs, workspace });
    const serverUp = Date.now() - started;
    const bench = await Workbench.connect({ name: options.name, workspace, dirs, server });
    process.stderr.write(`[e2e] ${options.name}: code-server up in ${(serverUp / 1000).toFixed(1)} s, workbench with ONNX Lens ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return bench;
  }

  /**
   * Opens Chromium on a running server (one that launch() started, or `npm start`'s) and waits until
   * the workbench lists the workspace and ONNX Lens is registered. Stops the server when it fails.
   */
  static async connect(options: { name: string; workspace: string; dirs: RunDirs; server: RunningServer; url?: string }): Promise<Workbench> {
    const { dirs, server, workspace } = options;
    let context: BrowserContext | undefined;
    let page: Page | undefined;
    try {
      context = await chromium.launchPersistentContext(join(dirs.root, 'chromium'), {
        executablePath: chromiumPath(),
        headless: true,
        args: chromiumArgs,
        viewport: { width: 1440, height: 900 },
        env: { ...process.env, HOME: dirs.home, TMPDIR: dirs.tmp } as Record<string, string>,
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(defaultTimeoutMs);
      const bench = new Workbench(options.name, workspace, dirs, server, context, page);
      page.on('dialog', (dialog) => {
        bench.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss().catch(() => undefined);
      });
      page.on('pageerror', (error) => bench.pageErrors.push(error.message));
      await page.goto(options.url ?? `${server.url}?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
      await bench.waitForWorkbench();
      return bench;
    } catch (error) {
      // The window never became usable: keep what it showed and what code-server said.
      if (page && error instanceof Error) {
        mkdirSync(screenshotDir, { recursive: true });
        const file = join(screenshotDir, `${options.name}-00-FAILED-startup.png`);
        const shot = await page.screenshot({ path: file, timeout: 10_000 }).then(() => `screenshot: ${relative(repoRoot, file)}`, () => 'no screenshot');
        const text = inCi ? `\npage text:\n${(await page.evaluate(() => document.body?.innerText ?? '').catch(() => '')).slice(0, 3000)}` : '';
        error.message += `\n${shot}${text}\ncode-server output (end):\n${server.output().slice(-(inCi ? 3000 : 1200))}`;
      }
      await context?.close().catch(() => undefined);
      await server.stop();
      throw error;
    }
  }

  private async waitForWorkbench(): Promise<void> {
    const t0 = Date.now();
    const phase = (what: string) => debug(`${this.name}: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible' });
    phase('workbench visible');
    // The explorer lists the workspace once the file service and the remote extension host are up.
    await waitFor('the explorer to list the workspace', async () => (await this.page.locator('.explorer-folders-view .monaco-list-row').count()) > 0);
    phase('explorer listed');
    await this.waitForExtension();
    phase('ONNX Lens registered');
  }

  /**
   * Waits until the remote extension host has registered ONNX Lens: before that, VS Code does not know
   * the custom editor and opens a .onnx file as binary text. Its contributed commands in the palette
   * are the signal a user would see.
   */
  private async waitForExtension(): Promise<void> {
    await waitFor('ONNX Lens to be registered (its "ONNX: Show Log" command in the palette)', async () => {
      // An open palette does not refresh when commands register later: reopen it on every try.
      const labels = await this.paletteRows('ONNX: Show Log');
      await this.closeQuickInput();
      if (labels.includes('ONNX: Show Log')) return true;
      await new Promise((r) => setTimeout(r, 500));
      return false;
    }, 90_000);
  }

  /** Closes the command palette or quick pick if one is open. */
  async closeQuickInput(): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    if (await input.isVisible()) {
      await this.page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 5_000 });
    }
  }

  /** A file of the workspace, by relative path. */
  path(relativePath: string): string {
    return join(this.workspace, relativePath);
  }

  /** Writes a file into the workspace (it shows in the explorer after VS Code's watcher sees it). */
  writeFile(relativePath: string, content: Fixture): void {
    writeFixture(this.path(relativePath), content);
  }

  /** The explorer row of a file or folder (exact name, not a substring). */
  explorerRow(name: string): Locator {
    return this.page.locator('.explorer-folders-view .monaco-list-row').filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }),
    });
  }

  /** Opens a workspace file by clicking it in the explorer; nested paths expand their folders first. */
  async openFile(relativePath: string): Promise<void> {
    const parts = relativePath.split('/');
    await this.focusExplorer();
    for (const [i, part] of parts.entries()) {
      const row = this.explorerRow(part).first();
      await waitFor(`"${part}" in the explorer`, async () => (await row.count()) > 0 || (await this.refreshExplorer(), false));
      await row.scrollIntoViewIfNeeded();
      const last = i === parts.length - 1;
      if (!last) {
        if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
        continue;
      }
      await this.dismissHovers();
      await row.dblclick(); // double click: a pinned editor, not a preview that the next open replaces
    }
    await waitFor(`an editor tab for ${basename(relativePath)}`, async () => (await this.tab(basename(relativePath)).count()) > 0);
  }

  /**
   * Moves the mouse to an empty part of the activity bar and waits for workbench hovers (an explorer
   * row's path tooltip, an editor hover) to go: a hover left over a row swallows the next click.
   */
  async dismissHovers(): Promise<void> {
    const viewport = this.page.viewportSize() ?? { width: 1440, height: 900 };
    await this.page.mouse.move(20, Math.round(viewport.height * 0.7));
    const hovers = this.page.locator('.context-view .monaco-hover, .context-view .workbench-hover, .context-view .hover-contents');
    await waitFor('hovers to close', async () => (await hovers.count()) === 0 || (await hovers.first().isHidden()), 5_000).catch(async () => {
      await this.page.keyboard.press('Escape');
    });
  }

  private async focusExplorer(): Promise<void> {
    if (!(await this.page.locator('.explorer-folders-view').isVisible())) await this.page.keyboard.press('Control+Shift+E');
    await this.page.locator('.explorer-folders-view').waitFor({ state: 'visible' });
  }

  private async refreshExplorer(): Promise<void> {
    await this.page.locator('.explorer-viewlet .codicon-explorer-refresh, .pane-header .codicon-refresh').first().click({ timeout: 2_000 }).catch(() => undefined);
  }

  /** The editor tab with this label. */
  tab(label: string): Locator {
    return this.page.locator('.tabs-container .tab').filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) });
  }

  /** The label of the active editor tab. */
  async activeTab(): Promise<string> {
    return (await this.page.locator('.tabs-container .tab.active .label-name').first().textContent())?.trim() ?? '';
  }

  /** Opens the command palette (F1) and types the query; returns the visible rows' labels. */
  private async paletteRows(query: string): Promise<string[]> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    // F1 goes to whatever has focus; a webview that is loading or being replaced can swallow it. Then
    // the title bar's command center opens the same quick input (the '>' prefix makes it the palette).
    // A webview that takes focus a moment later closes the palette again, so it must stay open a while.
    for (let attempt = 0; attempt < 8; attempt++) {
      if (!(await input.isVisible())) {
        if (attempt % 2 === 0) await this.page.keyboard.press('F1');
        else await this.page.locator('.command-center .command-center-center').first().click({ timeout: 3_000 }).catch(() => undefined);
        await input.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
      }
      await this.page.waitForTimeout(300);
      if (!(await input.isVisible())) continue;
      await input.fill(`>${query}`);
      const labels = await this.settledRows(query);
      if (labels && (await input.isVisible())) return labels;
    }
    throw new Error('The command palette did not stay open (F1 and the command center both failed).');
  }

  /** The palette's row labels once filtering has settled on this query; undefined if the palette closed. */
  private async settledRows(query: string): Promise<string[] | undefined> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    const rows = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    let previous: string | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await this.page.waitForTimeout(150)) {
      if (!(await input.isVisible())) return undefined;
      const labels = (await rows.evaluateAll((els) => els.map((e) => e.querySelector('.label-name')?.textContent ?? e.getAttribute('aria-label') ?? ''))).map((l) => l.trim());
      const key = labels.join('\n');
      if (key === previous) return labels;
      previous = key;
    }
    throw new Error(`Timed out waiting for the command palette to list "${query}".`);
  }

  /** Opens the command palette with this query and returns the labels it lists (leaves it open). */
  async paletteLabels(query: string): Promise<string[]> {
    return this.paletteRows(query);
  }

  /** Whether the command palette lists a command with exactly this title ("ONNX: Show Log"). */
  async hasCommand(title: string): Promise<boolean> {
    const labels = await this.paletteRows(title);
    await this.closeQuickInput();
    return labels.some((l) => l === title);
  }

  /** Runs a command from the palette by its full title ("ONNX: Show Log"): F1, type, pick, Enter. */
  async runCommand(title: string): Promise<void> {
    const labels = await this.paletteRows(title);
    const index = labels.indexOf(title);
    if (index < 0) {
      await this.page.keyboard.press('Escape');
      throw new Error(`The command palette has no "${title}"; it lists: ${labels.slice(0, 10).join(' | ') || '(nothing)'}.`);
    }
    for (let i = 0; i < index; i++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Enter');
    await this.page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  }

  /**
   * Runs a command that opens a quick pick and returns its item labels. A webview that takes focus late
   * (a tab just clicked, under load) closes the pick as it opens, as it would for a user: then the
   * command is run once more.
   */
  async runCommandToPick(title: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      await this.runCommand(title);
      const shown = await this.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
      if (shown || attempt === 2) return this.quickPickItems();
      process.stderr.write(`[e2e] "${title}" opened no quick pick within 10 s (closed by a webview taking focus?): running it again\n`);
    }
  }

  /** The quick pick / input box that a command opened: its visible item labels. */
  async quickPickItems(): Promise<string[]> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.waitFor({ state: 'visible' });
    return (await widget.locator('.monaco-list-row .label-name').allTextContents()).map((t) => t.trim());
  }

  /** Picks an item of an open quick pick by its label (exact), or types a value into an input box and accepts. */
  async pick(label: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(label);
    await waitFor(`"${label}" in the quick pick`, async () => (await this.quickPickItems()).includes(label) || (await this.page.locator('.quick-input-widget .quick-input-list').isHidden()));
    await this.page.keyboard.press('Enter');
  }

  /**
   * Answers code-server's file dialog (a quick input that takes a path) for Open and Save As: waits
   * until the dialog has written its starting folder into the box (typing earlier is overwritten),
   * types the path until it stays, and accepts.
   */
  async answerFileDialog(path: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await waitFor('the file dialog to fill in its starting folder', async () => (await input.inputValue()).startsWith('/'), 10_000).catch(() => undefined);
    await waitFor(`the file dialog to hold ${path}`, async () => {
      if ((await input.inputValue()) !== path) await input.fill(path);
      await new Promise((r) => setTimeout(r, 300));
      return (await input.inputValue()) === path;
    });
    await this.page.keyboard.press('Enter');
  }

  /** Frames that hold webview content (VS Code nests each webview in two iframes). */
  webviewFrames(): Frame[] {
    return this.page.frames().filter((f) => f !== this.page.mainFrame() && /webview|vscode-cdn|vscode-resource/i.test(f.url()));
  }

  /** The visible text of every webview frame, joined; searches every frame since webviews nest. */
  async webviewText(): Promise<string> {
    const texts: string[] = [];
    for (const frame of this.webviewFrames()) {
      const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (text.trim()) texts.push(normalizeSpaces(text));
    }
    return texts.join('\n');
  }

  /**
   * Evaluates fn inside every webview frame (it runs in the page, so it can use only its own code and
   * the page's globals) and returns the first result that is not undefined or null.
   */
  async inWebview<T>(fn: () => T | undefined): Promise<T | undefined> {
    for (const frame of this.webviewFrames()) {
      const value = await frame.evaluate(fn).catch(() => undefined);
      if (value !== undefined && value !== null) return value as T;
    }
    return undefined;
  }

  /** The frame whose document matches selector (for clicks and typing inside a webview). */
  async webviewFrameWith(selector: string, timeoutMs = defaultTimeoutMs): Promise<Frame> {
    return this.waitPastBlankWebview(`a webview with "${selector}"`, async () => {
      for (const frame of this.webviewFrames()) {
        if ((await frame.locator(selector).count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    }, timeoutMs);
  }

  /** Waits until the webview text matches; returns that text. */
  async waitForWebviewText(pattern: RegExp | string, timeoutMs = defaultTimeoutMs): Promise<string> {
    return this.waitForText(pattern, { where: 'webview', timeoutMs });
  }

  /**
   * Waits until text matching pattern is visible in the webviews ('webview'), the workbench outside them
   * ('workbench'), or anywhere ('any', the default); returns the text it matched in.
   */
  async waitForText(pattern: RegExp | string, options: { where?: 'webview' | 'workbench' | 'any'; timeoutMs?: number } = {}): Promise<string> {
    const where = options.where ?? 'any';
    const test = (text: string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
    let last = '';
    const attempt = async () => {
      const texts: string[] = [];
      if (where !== 'webview') texts.push(await this.workbenchText());
      const webview = where !== 'workbench' ? await this.webviewText() : undefined;
      if (webview !== undefined) texts.push(webview);
      last = texts.join('\n');
      return test(last) ? last : undefined;
    };
    const what = `${String(pattern)} in the ${where === 'any' ? 'window' : where}`;
    try {
      return await this.waitPastBlankWebview(what, attempt, options.timeoutMs);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nText seen (first 1500 characters):\n${last.slice(0, 1500)}`);
    }
  }

  /**
   * waitFor, for something a model editor's webview shows. code-server now and then leaves a webview
   * frame blank (its script never runs): one still blank after 12 s is reloaded once, and the run says so.
   * The blank frame's script request can also hang in code-server's webview service worker until its 30 s
   * resource timeout, reload or not: a model editor still blank at the deadline gets that long once more.
   */
  private async waitPastBlankWebview<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = defaultTimeoutMs): Promise<T> {
    const started = Date.now();
    let blank = false;
    let reloaded = false;
    const attempt = async () => {
      const found = await fn();
      if (found !== undefined) return found;
      blank = (await this.webviewText()) === '' && /\.onnx$/.test(await this.activeTab());
      if (blank && !reloaded && Date.now() - started > 12_000) {
        reloaded = true;
        process.stderr.write(`[e2e] the model editor stayed blank for 12 s: reloading its webview once (Developer: Reload Webviews)\n`);
        await this.runCommand('Developer: Reload Webviews');
      }
      return undefined;
    };
    try {
      return await waitFor(what, attempt, timeoutMs);
    } catch (error) {
      if (!blank) throw error;
      process.stderr.write(`[e2e] the model editor is still blank: waiting out the webview's resource timeout\n`);
      return await waitFor(what, attempt, 40_000);
    }
  }

  /** The workbench's own visible text (not the webviews'). */
  async workbenchText(): Promise<string> {
    return normalizeSpaces(await this.page.evaluate(() => document.body.innerText));
  }

  /** Text of the notifications shown now (toasts and the notification center). */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notification-toast .notification-list-item-message, .notifications-center .notification-list-item-message').allTextContents()).map((t) => t.trim());
  }

  /** Waits for a notification whose message matches; returns its text. */
  async waitForNotification(pattern: RegExp, timeoutMs = defaultTimeoutMs): Promise<string> {
    return waitFor(`a notification matching ${pattern}`, async () => (await this.notifications()).find((t) => pattern.test(t)), timeoutMs);
  }

  /** The visible lines of the active text editor (Monaco renders only what is on screen). */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    return normalizeSpaces((await lines.allTextContents()).join('\n'));
  }

  /**
   * Moves the mouse over the first visible occurrence of `word` in the active text editor and returns
   * the text of VS Code's hover (`.monaco-hover`) once it matches `expect` (or any text).
   */
  async hoverWord(word: string, expect: RegExp = /\S/): Promise<string> {
    const editor = this.page.locator('.editor-group-container.active .monaco-editor').first();
    await editor.waitFor({ state: 'visible' });
    const box = await waitFor(`"${word}" on screen in the editor`, () => this.page.evaluate((w) => {
      const lines = document.querySelectorAll('.editor-group-container.active .monaco-editor .view-lines .view-line');
      for (const line of Array.from(lines)) {
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = (node.textContent ?? '').replace(/\u00a0/g, ' ');
          const re = new RegExp(`(^|[^A-Za-z0-9_./:-])(${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?![A-Za-z0-9_])`);
          const m = re.exec(text);
          if (!m) continue;
          const start = m.index + m[1].length;
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + w.length);
          const r = range.getBoundingClientRect();
          if (r.width > 0) return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
        }
      }
      return undefined;
    }, word));
    const hover = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ });
    // Move away first so a hover that is already up for another word goes.
    await this.page.mouse.move(box.x, box.y + 300);
    await this.page.mouse.move(box.x - 2, box.y);
    await this.page.mouse.move(box.x, box.y, { steps: 3 });
    return waitFor(`a hover over "${word}" matching ${expect}`, async () => {
      const texts = await hover.allInnerTexts();
      return texts.find((t) => expect.test(t));
    });
  }

  /** Saves a screenshot into test/e2e/.screenshots/<run>-<n>-<label>.png; returns its path. */
  async screenshot(label: string): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    const file = join(screenshotDir, `${this.name}-${String(++this.screenshotCount).padStart(2, '0')}-${label.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60)}.png`);
    await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  /** After a failure: a screenshot and, in CI, the page text (screenshots are not kept there). */
  async reportFailure(label: string): Promise<string> {
    const lines: string[] = [];
    try {
      const file = await this.screenshot(`FAILED-${label}`);
      lines.push(`screenshot: ${relative(repoRoot, file)}`);
    } catch (error) {
      lines.push(`screenshot failed: ${(error as Error).message.split('\n')[0]}`);
    }
    if (inCi) {
      const workbench = await this.workbenchText().catch(() => '(unavailable)');
      const webviews = await this.webviewText().catch(() => '(unavailable)');
      lines.push(`workbench text:\n${workbench.slice(0, 4000)}`, `webview text:\n${webviews.slice(0, 4000)}`);
      lines.push(`code-server output (last 3000 characters):\n${this.server.output().slice(-3000)}`);
    }
    return lines.join('\n');
  }

  /** Closes every editor (so the next scenario starts from an empty editor area). */
  async closeAllEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
    await waitFor('all editors to close', async () => (await this.page.locator('.tabs-container .tab').count()) === 0, 10_000);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.server.stop();
  }
}

function writeFixture(file: string, content: Fixture): void {
  mkdirSync(join(file, '..'), { recursive: true });
  if (typeof content === 'object' && 'copyFrom' in content) cpSync(content.copyFrom, file);
  else writeFileSync(file, content);
}

/** Monaco renders spaces as no-break spaces; tests match ordinary ones. */
function normalizeSpaces(text: string): string {
  return text.replace(/\u00a0/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One Workbench for a scenario file: started before its first scenario, stopped after the last
 * (always, also on failure). Each `scenario` is a node:test test with a screenshot at its end, and on
 * failure a screenshot path (plus, in CI, the page's text) in the error.
 */
export function useWorkbench(options: LaunchOptions): {
  readonly bench: Workbench;
  scenario(name: string, fn: (bench: Workbench) => Promise<void>, opts?: { timeoutMs?: number }): void;
} {
  exitOnSignals();
  let bench: Workbench | undefined;
  before(async () => {
    bench = await Workbench.launch(options);
  }, { timeout: 180_000 });
  after(async () => {
    await bench?.close();
  });
  const get = () => {
    if (!bench) throw new Error('The workbench did not start (see the error of the `before` hook).');
    return bench;
  };
  return {
    get bench() {
      return get();
    },
    scenario(name, fn, opts) {
      test(name, { timeout: opts?.timeoutMs ?? 120_000 }, async () => {
        const b = get();
        try {
          await fn(b);
        } catch (error) {
          const report = await b.reportFailure(name);
          // Node's reporter prints the stack, which already holds the message: extend both.
          if (error instanceof Error) {
            if (error.stack) error.stack = `${error.stack}\n${report}`;
            else error.message = `${error.message}\n${report}`;
          }
          throw error;
        }
        // The closing screenshot is for reading, not a check: a slow machine must not fail a passed scenario.
        await b.screenshot(name).catch((error: unknown) => console.warn(`[e2e] no screenshot of "${name}": ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`));
      });
    },
  };
}

/** The bundled sample model, or (until it exists) a small model from Debian's libonnx-testdata. */
export function sampleModelPath(): string {
  const bundled = join(repoRoot, 'test', 'fixtures', 'sample.onnx');
  if (existsSync(bundled)) return bundled;
  const found = spawnSync('dpkg', ['-L', 'libonnx-testdata'], { encoding: 'utf8' });
  const model = found.stdout?.split('\n').find((f) => f.endsWith('/test_gemm_default_matrix_bias/model.onnx'));
  if (!model) throw new Error('Neither test/fixtures/sample.onnx nor libonnx-testdata is available.');
  return model;
}
