/**
 * Who may see whom by user type (CONTRACT §9), as `PRESENCE_VISIBILITY` writes it: `viewer:type,type;viewer:*`.
 * A viewer type sees the types its rule names, or every user with `*` (users of no or unknown type included); a type
 * with no rule, and a viewer of no type, see no one by type. Seeing oneself is the audience's rule, not this one's.
 */
const NO_TYPES: ReadonlySet<string> = new Set();

export class VisibilityRules {
  private constructor(
    /** By viewer type: the user types it sees, or `*`. */
    private readonly seen: ReadonlyMap<string, '*' | ReadonlySet<string>>,
  ) {}

  /** Reads the rules, or throws `InvalidVisibilityRules` saying what is wrong with them. */
  static parse(text: string): VisibilityRules {
    const seen = new Map<string, '*' | ReadonlySet<string>>();
    const rules = text.split(';').map((rule) => rule.trim());
    if (rules.every((rule) => rule === '')) throw new InvalidVisibilityRules('names no rule');
    for (const rule of rules) {
      if (rule === '') continue;
      const [viewer, types, ...rest] = rule.split(':').map((part) => part.trim());
      if (viewer === undefined || types === undefined || rest.length > 0) {
        throw new InvalidVisibilityRules(`"${rule}" is not viewer:type,type or viewer:*`);
      }
      checkTypeName(viewer, rule);
      if (seen.has(viewer)) throw new InvalidVisibilityRules(`viewer type "${viewer}" has two rules`);
      const named = types.split(',').map((type) => type.trim());
      if (named.includes('*')) {
        seen.set(viewer, '*');
        continue;
      }
      for (const type of named) checkTypeName(type, rule);
      seen.set(viewer, new Set(named));
    }
    return new VisibilityRules(seen);
  }

  /** Whether a viewer of `viewerType` sees a user of `userType` (null: no type, or one the service does not know). */
  allows(viewerType: string | null, userType: string | null): boolean {
    if (viewerType === null) return false;
    const seen = this.seen.get(viewerType);
    if (seen === undefined) return false;
    return seen === '*' || (userType !== null && seen.has(userType));
  }

  /** The user types a viewer of `viewerType` sees: `*` for every user, else the types named (none for no rule). */
  seenBy(viewerType: string | null): '*' | ReadonlySet<string> {
    return (viewerType === null ? undefined : this.seen.get(viewerType)) ?? NO_TYPES;
  }

  /**
   * The viewer types that see a user of `userType`: where one change of that user is sent, one encoding per
   * viewer type, instead of a test per connection.
   */
  viewersOf(userType: string | null): string[] {
    const viewers: string[] = [];
    for (const [viewer, seen] of this.seen) {
      if (seen === '*' || (userType !== null && seen.has(userType))) viewers.push(viewer);
    }
    return viewers;
  }

  /** The rules as written back, in a canonical order: for logs and messages. */
  toString(): string {
    return [...this.seen]
      .map(([viewer, seen]) => `${viewer}:${seen === '*' ? '*' : [...seen].sort().join(',')}`)
      .sort()
      .join(';');
  }
}

/** Rules that cannot be read: the message says which part and why. */
export class InvalidVisibilityRules extends Error {
  constructor(reason: string) {
    super(`visibility rules: ${reason}`);
    this.name = 'InvalidVisibilityRules';
  }
}

/** A type is what a user announces (1 to 128 characters), without the rules' own separators. */
function checkTypeName(type: string, rule: string): void {
  if (type.length === 0 || type.length > 128 || /[:;,*]/.test(type)) {
    throw new InvalidVisibilityRules(`"${type}" in "${rule}" is not a user type (1 to 128 characters, none of : ; , *)`);
  }
}
