import type { EncodedJson } from './shared-encoding';

export interface SharedOnlineListSettings<T> {
  /** Reads (and encodes) the list. */
  readonly read: () => Promise<T>;
  /** Changes with every transition this node knows of: a list read before one is not served after it. */
  readonly version: () => string;
  readonly now: () => number;
  /** The longest one encoding is served: how stale a listed user's `lastSeen` may be. */
  readonly maxAgeMs: number;
}

/**
 * §1's list, encoded once for every `getOnlineUsers` of a moment (CONTRACT §11: a thousand requests cost one
 * encoding). A list is served while no transition has happened since its read began and for at most `maxAgeMs`, so
 * a client always finds its own and everyone's earlier transitions in it; only `lastSeen` (and a type or name
 * announced again) can be that much older. A read in flight is shared too.
 */
export class SharedOnlineList<T = EncodedJson> {
  private cached: { readonly version: string; readonly readAt: number; readonly list: Promise<T>; read: boolean } | undefined;

  constructor(private readonly settings: SharedOnlineListSettings<T>) {}

  get(): Promise<T> {
    const version = this.settings.version();
    const now = this.settings.now();
    const cached = this.cached;
    // A read still in flight is shared however long it takes: a slow store is not asked again for every request.
    if (cached !== undefined && cached.version === version && (!cached.read || now - cached.readAt < this.settings.maxAgeMs)) return cached.list;
    const list = this.settings.read();
    const entry = { version, readAt: now, list, read: false };
    this.cached = entry;
    list.then(
      () => (entry.read = true),
      () => {
        if (this.cached === entry) this.cached = undefined;
      },
    );
    return list;
  }
}
