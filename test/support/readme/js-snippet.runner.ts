/**
 * Runs a README JavaScript snippet as written, as the body of an async function: the names it uses without
 * defining them (`io`, `token`, `render`…) are given as stand-ins, its `import`s are served from a map, and the
 * addresses of the examples point at the service under test.
 */
export interface SnippetRunOptions {
  /** Names the snippet uses but does not define. A snippet may define one itself: its own wins. */
  readonly standIns: Readonly<Record<string, unknown>>;
  /** What each `import … from '<specifier>'` gets. */
  readonly modules?: Readonly<Record<string, unknown>>;
  /** Example addresses in the snippet and the address each stands for. */
  readonly addresses?: Readonly<Record<string, string>>;
  /** Variables the snippet declares, handed back so that the test can look at them while the snippet runs. */
  readonly expose?: readonly string[];
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

/** `import { a, b as c } from 'x';` as `const { a, b: c } = modules['x'];`; any other import form is refused. */
function rewriteImports(code: string, modules: Readonly<Record<string, unknown>>): string {
  return code.replace(/^\s*import\b.*$/gm, (statement) => {
    const named = /^\s*import\s*\{([^}]*)\}\s*from\s*(['"])([^'"]+)\2\s*;?\s*$/.exec(statement);
    if (!named) throw new Error(`snippet import not supported (only \`import { … } from '…'\`): ${statement.trim()}`);
    const specifier = named[3] as string;
    if (!(specifier in modules)) throw new Error(`snippet imports '${specifier}', which has no stand-in module`);
    const bindings = (named[1] as string)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => part.replace(/^(\w+)\s+as\s+(\w+)$/, '$1: $2'));
    return `const { ${bindings.join(', ')} } = __modules[${JSON.stringify(specifier)}];`;
  });
}

/** Runs the snippet to its end (awaiting its top-level `await`s); resolves with live views of the exposed variables. */
export async function runJsSnippet(code: string, options: SnippetRunOptions): Promise<Record<string, unknown>> {
  let source = rewriteImports(code, options.modules ?? {});
  for (const [example, actual] of Object.entries(options.addresses ?? {})) source = source.split(example).join(actual);
  const names = Object.keys(options.standIns);
  const exposed = (options.expose ?? []).map((name) => `get ${name}() { return ${name}; }`).join(', ');
  // The snippet runs in a block of its own, so that a name it declares shadows the stand-in of that name.
  const body = `{\n${source}\n;return { ${exposed} };\n}`;
  const run = new AsyncFunction('__modules', ...names, body);
  return (await run(options.modules ?? {}, ...names.map((name) => options.standIns[name]))) as Record<string, unknown>;
}
