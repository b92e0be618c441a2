// Which nn.Module a node came from: dynamo exports say it in `pkg.torch.onnx.name_scopes` (full dotted
// paths, root first, the op's own name last) and `pkg.torch.onnx.class_hierarchy` (the classes, aligned);
// torchscript exports only in the node name (`/block/attn/MatMul_1`).

export const NAME_SCOPES_KEY = 'pkg.torch.onnx.name_scopes';
export const CLASS_HIERARCHY_KEY = 'pkg.torch.onnx.class_hierarchy';

/** Put in by torch for nodes outside every module (shape arithmetic); not a module. */
const NO_MODULE_HOOK = '_empty_nn_module_stack_from_metadata_hook';

export interface ModuleScope {
  /** Dotted module path; '' for the root module. */
  path: string;
  /** The module's class (`torch.nn.modules.linear.Linear`), when the export records it. */
  className?: string;
}

export interface ModulePath {
  /** The innermost module's dotted path ('' for the root module). */
  path: string;
  /** Root first, down to the innermost module. */
  scopes: ModuleScope[];
  from: 'name_scopes' | 'node_name';
}

/** A Python list of strings as `repr` writes it (`['', 'block', "it's"]`); undefined when it is not one. */
export function parsePythonStringList(text: string): string[] | undefined {
  const s = text.trim();
  if (!s.startsWith('[') || !s.endsWith(']')) return undefined;
  const items: string[] = [];
  let i = 1;
  const end = s.length - 1;
  const skipSpace = () => {
    while (i < end && /\s/.test(s[i])) i++;
  };
  skipSpace();
  while (i < end) {
    const quote = s[i];
    if (quote !== "'" && quote !== '"') return undefined;
    let item = '';
    i++;
    while (i < end && s[i] !== quote) {
      if (s[i] === '\\' && i + 1 < end) {
        const next = s[++i];
        item += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else item += s[i];
      i++;
    }
    if (s[i] !== quote) return undefined;
    i++;
    items.push(item);
    skipSpace();
    if (i < end) {
      if (s[i] !== ',') return undefined;
      i++;
      skipSpace();
    }
  }
  return items;
}

type Metadata = ReadonlyArray<{ key?: string | null; value?: string | null }> | null | undefined;

/** The module path a dynamo export recorded, or undefined when the node has no name_scopes. */
export function modulePathFromScopes(metadata: Metadata): ModulePath | undefined {
  const get = (key: string) => metadata?.find((p) => p.key === key)?.value ?? undefined;
  const scopesText = get(NAME_SCOPES_KEY);
  const names = scopesText === undefined ? undefined : parsePythonStringList(scopesText);
  if (!names?.length) return undefined;
  const classesText = get(CLASS_HIERARCHY_KEY);
  const classes = (classesText === undefined ? undefined : parsePythonStringList(classesText)) ?? [];
  // The last entry names the op itself (`linear`, `aten.linear.default`), not a module.
  const scopes: ModuleScope[] = [];
  names.slice(0, -1).forEach((path, i) => {
    if (path === NO_MODULE_HOOK) return;
    const scope: ModuleScope = { path };
    // The two lists are aligned only when they have the same length.
    if (classes.length === names.length && classes[i]) scope.className = classes[i];
    scopes.push(scope);
  });
  return { path: scopes.at(-1)?.path ?? '', scopes, from: 'name_scopes' };
}

/** The module path in a torchscript node name (`/layer1/conv/Conv` → `layer1.conv`); undefined for other names. */
export function modulePathFromNodeName(name: string | null | undefined): ModulePath | undefined {
  if (!name?.startsWith('/')) return undefined;
  const parts = name.split('/').slice(1, -1).filter(Boolean);
  const scopes: ModuleScope[] = [{ path: '' }];
  parts.forEach((_, i) => scopes.push({ path: parts.slice(0, i + 1).join('.') }));
  return { path: parts.join('.'), scopes, from: 'node_name' };
}

/** The node's module path: from the export's name scopes when present, else from its name. */
export function nodeModulePath(node: { name?: string | null; metadataProps?: Metadata }): ModulePath | undefined {
  return modulePathFromScopes(node.metadataProps) ?? modulePathFromNodeName(node.name);
}
