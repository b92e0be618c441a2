// The import graph of the sources, read with the TypeScript parser: every static, re-export and
// dynamic import of each .ts file, with relative ones resolved to the repository path they load.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export interface ImportEdge {
  /** Repository path of the importing file, with forward slashes. */
  from: string;
  specifier: string;
  /** Repository path of the loaded file, for a relative specifier. */
  target?: string;
  /** Erased when compiled (`import type`, or every name imported as a type): not in the bundle. */
  typeOnly: boolean;
  line: number;
}

/** Every .ts source (declarations excluded) under the given repository folders. */
export function sourceFiles(...folders: string[]): string[] {
  const walk = (dir: string): string[] => readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
  return folders.flatMap(walk).sort();
}

/** `./x.js` in TypeScript sources names `./x.ts` (or a generated `./x.js` with its `.d.ts`). */
function resolveRelative(from: string, specifier: string): string {
  const path = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [path.replace(/\.js$/, '.ts'), path, `${path}.ts`, posix.join(path, 'index.ts')];
  return candidates.find((c) => existsSync(join(repoRoot, c))) ?? path;
}

/** The imports of `file`, parsed from `text` (read from disk when omitted). */
export function importsOf(file: string, text = readFileSync(join(repoRoot, file), 'utf8')): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | undefined, typeOnly: boolean) => {
    if (!specifier || !ts.isStringLiteralLike(specifier)) return;
    const name = specifier.text;
    edges.push({
      from: file,
      specifier: name,
      target: name.startsWith('.') ? resolveRelative(file, name) : undefined,
      typeOnly,
      line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named?.length && named.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node, node.moduleSpecifier, node.isTypeOnly || (!!named?.length && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Module graph: file -> the files it imports (relative imports only). */
export function moduleGraph(edges: ImportEdge[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    if (e.target) graph.get(e.from)!.push(e.target);
  }
  return graph;
}

/**
 * The import cycles of a graph, one per strongly connected component (Tarjan), each written as a
 * path that starts and ends at the same file: `a.ts -> b.ts -> a.ts`.
 */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v)?.includes(v)) components.push(component);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components.map((component) => cycleThrough(graph, new Set(component)));
}

/** A shortest cycle through the first (alphabetical) file of a strongly connected component. */
function cycleThrough(graph: Map<string, string[]>, component: Set<string>): string[] {
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!component.has(w)) continue;
      if (w === start) {
        // Back from v along the search tree to the start: start -> ... -> v -> start.
        const path = [start];
        for (let at = v; at !== start; at = previous.get(at)!) path.unshift(at);
        return [start, ...path];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** Files reached from `roots` through imports that stay in the compiled code (type-only ones are erased). */
export function valueClosure(roots: string[], edgesOf: (file: string) => ImportEdge[]): Set<string> {
  const seen = new Set<string>(roots);
  const queue = [...roots];
  while (queue.length) {
    for (const e of edgesOf(queue.shift()!)) {
      if (e.typeOnly || !e.target || seen.has(e.target) || !e.target.endsWith('.ts')) continue;
      seen.add(e.target);
      queue.push(e.target);
    }
  }
  return seen;
}
