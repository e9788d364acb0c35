/**
 * The layers of src/ and what each may import. Paths are relative to src/, with `/`. A file that fits no layer
 * is itself a violation: a new top-level file or folder has to be placed here first.
 */
import { builtinModules } from 'node:module';
import { posix } from 'node:path';

/** Adapter folders that hold a boundary helper several surfaces need (reading a token, validating an id, origins, limits, the presence SQL functions' rows, §10's events). */
export const SHARED_ADAPTER_FOLDERS: readonly string[] = ['auth', 'validation', 'origins', 'limits', 'last-seen-rows', 'presence-events'];

/** Entry points and wiring: they choose and bind adapters, so they see everything. */
const COMPOSITION_FILES: readonly string[] = ['container', 'main', 'app', 'tokens', 'config', 'lifecycle'];
const COMPOSITION_FOLDERS: readonly string[] = ['composition', 'cli'];

export type Layer =
  | 'domain'
  | 'application'
  | 'protocol'
  | 'client'
  | 'composition'
  | `adapters/${string}`
  /** A relative import that leaves src/. */
  | 'outside src'
  /** A specifier that is computed, not written. */
  | 'unknown'
  | 'package'
  | 'unplaced';

export interface LayerRule {
  /** Layers of src/ it may import besides its own. */
  readonly imports: readonly Layer[];
  /** Node built-ins and npm packages. */
  readonly packages: boolean;
}

const shared = SHARED_ADAPTER_FOLDERS.map((folder): Layer => `adapters/${folder}`);

/** Every layer may import itself; an adapter folder (`adapters/*`) only itself, not its siblings. */
export const LAYER_RULES: Readonly<Record<'domain' | 'application' | 'protocol' | 'client' | 'adapters/*', LayerRule>> = {
  domain: { imports: [], packages: false },
  application: { imports: ['domain'], packages: false },
  protocol: { imports: ['domain'], packages: true },
  client: { imports: ['protocol'], packages: true },
  'adapters/*': { imports: ['domain', 'application', 'protocol', ...shared], packages: true },
};

const sourceExtension = /\.[cm]?[jt]sx?$/;

/** The layer of a file or folder of src/ (a path relative to src/). */
export function layerOf(path: string): Layer {
  const [top = '', next] = path.split('/');
  if (top === 'domain' || top === 'application' || top === 'protocol' || top === 'client') return top;
  // A specifier may leave out the extension (`./config`), a file's path has it (`config.ts`).
  if (COMPOSITION_FOLDERS.includes(top) || (next === undefined && COMPOSITION_FILES.includes(top.replace(sourceExtension, '')))) {
    return 'composition';
  }
  // An import of `adapters/memory/x` and of `adapters/memory` (its folder) both name the memory family.
  if (top === 'adapters' && next !== undefined && !(path === `adapters/${next}` && sourceExtension.test(next))) {
    return `adapters/${next}`;
  }
  return 'unplaced';
}

const builtins = new Set(builtinModules);

/** The layer a specifier written in `from` (relative to src/) points to. */
export function targetOf(from: string, specifier: string | null): Layer {
  if (specifier === null) return 'unknown';
  if (specifier.startsWith('.')) {
    const target = posix.normalize(posix.join(posix.dirname(from), specifier));
    return target === '..' || target.startsWith('../') ? 'outside src' : layerOf(target);
  }
  if (specifier.startsWith('/')) return 'outside src';
  return 'package';
}

export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] as string);
}

/** Whether a file in layer `from` may import something in layer `to`. */
export function mayImport(from: Layer, to: Layer): boolean {
  if (from === 'composition') return to !== 'unplaced';
  if (from === 'unplaced' || to === 'unknown' || to === 'outside src' || to === 'unplaced') return false;
  const rule = from.startsWith('adapters/') ? LAYER_RULES['adapters/*'] : LAYER_RULES[from as keyof typeof LAYER_RULES];
  if (to === 'package') return rule.packages;
  return to === from || rule.imports.includes(to);
}
