import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Relative imports from src/core that reach the host side: its folders, its entry points, the webview protocol.
const hostSide = String.raw`^\.\.?/(.*/)?((editor|commands|services|language|cli|webview)/|(extension|cli|protocol)\.js$)`;
const nodeBuiltin = `^(node:|(${builtinModules.join('|')})(/|$))`;

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.e2e/**', 'src/core/model/onnx-pb.js', 'src/core/model/onnx-pb.d.ts', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
    },
  },
  // Layers (see also test/unit/architecture/imports.test.ts, which checks the resolved paths and cycles).
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'src/core must not depend on VS Code.' }],
        patterns: [{
          regex: hostSide,
          caseSensitive: true,
          message: 'src/core is below the host: it imports nothing from src/editor, src/commands, src/services, src/language, src/cli, webview, nor the entry points and the webview protocol.',
        }],
      }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview runs in a browser: no VS Code API (it talks to the host through src/protocol.ts).' }],
        patterns: [
          { regex: nodeBuiltin, caseSensitive: true, message: 'The webview runs in a browser: no Node built-ins.' },
          { regex: String.raw`^(\.\./)+src/(?!protocol\.js$|core/)`, caseSensitive: true, message: 'The webview imports from src/ only src/protocol.ts and src/core (modules that are DOM-free and Node-free).' },
        ],
      }],
    },
  },
  {
    files: ['src/cli.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The CLI runs without VS Code.' }] }],
    },
  },
);
