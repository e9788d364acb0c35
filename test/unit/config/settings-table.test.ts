import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, settingDescriptions, type Env } from '../../../src/config';

interface TableRow {
  readonly cells: Readonly<Record<string, string>>;
  readonly line: number;
}

/** The first table under `## Settings` in the README, each row keyed by the header's column names. */
function settingsTable(): TableRow[] {
  const lines = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8').split('\n');
  const section = lines.findIndex((line) => line.trim() === '## Settings');
  const start = lines.findIndex((line, i) => i > section && line.startsWith('|'));
  if (section < 0 || start < 0) throw new Error('README.md has no table under "## Settings"');
  const cellsOf = (line: string): string[] =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
  const header = cellsOf(lines[start] as string);
  const rows: TableRow[] = [];
  for (let i = start + 2; i < lines.length && (lines[i] as string).startsWith('|'); i++) {
    const cells = cellsOf(lines[i] as string);
    rows.push({ cells: Object.fromEntries(header.map((name, c) => [name, cells[c] ?? ''])), line: i + 1 });
  }
  return rows;
}

const firstCode = (cell: string): string | undefined => /`([^`]*)`/.exec(cell)?.[1];
const plain = (cell: string): string => cell.replace(/`/g, '').replace(/\s+/g, ' ').trim();
const nameOf = (row: TableRow): string => firstCode(row.cells['setting'] ?? '') ?? `(no name on line ${row.line})`;

/** What loadConfig says about this one setting (problems caused by it needing another setting name that one). */
function problemsAbout(name: string, env: Env): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.filter((p) => p.startsWith(`${name}:`));
  }
}

describe('the README settings table', () => {
  const rows = settingsTable();
  const described = Object.entries(settingDescriptions);

  it('has the columns setting, default, accepted and meaning', () => {
    expect(Object.keys(rows[0]?.cells ?? {})).toEqual(['setting', 'default', 'accepted', 'meaning']);
  });

  it('lists every setting config.ts reads, and no other, once each', () => {
    const names = rows.map(nameOf);
    expect([...names].sort()).toEqual(described.map(([name]) => name).sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it("states each setting's default as config.ts has it (a cell without a code value: no fixed default)", () => {
    const inTable = Object.fromEntries(rows.map((row) => [nameOf(row), firstCode(row.cells['default'] ?? '')]));
    expect(inTable).toEqual(Object.fromEntries(described.map(([name, d]) => [name, d.default])));
  });

  it("states each setting's accepted values as config.ts has them", () => {
    const inTable = Object.fromEntries(rows.map((row) => [nameOf(row), plain(row.cells['accepted'] ?? '')]));
    expect(inTable).toEqual(Object.fromEntries(described.map(([name, d]) => [name, d.accepts])));
  });
});

describe('each setting', () => {
  const described = Object.entries(settingDescriptions);
  const ranged = described.filter(([, d]) => d.min !== undefined && d.max !== undefined);
  const listed = described.filter(([, d]) => d.values !== undefined);

  it('covers every kind of range in this check', () => {
    expect(ranged.map(([name]) => name)).toContain('PRESENCE_REPLAY_SIZE');
    expect(listed.map(([name]) => name)).toContain('PERSISTENCE');
  });

  it.each(ranged)('%s takes whole numbers from its minimum to its maximum, and nothing outside', (name, { min, max }) => {
    const low = min as number;
    const high = max as number;
    expect(problemsAbout(name, { [name]: String(low) })).toEqual([]);
    expect(problemsAbout(name, { [name]: String(high) })).toEqual([]);
    if (low > 0) expect(problemsAbout(name, { [name]: String(low - 1) })).toEqual([expect.stringContaining(`must be at least ${low}`)]);
    if (high < Number.MAX_SAFE_INTEGER) expect(problemsAbout(name, { [name]: String(high + 1) })).toEqual([expect.stringContaining(`must be at most ${high}`)]);
  });

  it.each(listed)('%s takes each of its values, and no other', (name, { values }) => {
    for (const value of values ?? []) expect(problemsAbout(name, { [name]: value })).toEqual([]);
    expect(problemsAbout(name, { [name]: 'not-one-of-them' })).toHaveLength(1);
  });
});
