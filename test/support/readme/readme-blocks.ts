/** The fenced code blocks of a Markdown file, as the README's snippet test checks them. */
import { readFileSync } from 'node:fs';

export interface ReadmeBlock {
  /** The info string's first word (`bash`, `js`…); empty when the fence has none. */
  readonly lang: string;
  /** The rest of the info string (```json GET /presence 200 → `GET /presence 200`). */
  readonly info: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The heading the block stands under. */
  readonly section: string;
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) section = (heading[1] as string).trim();
    const fence = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(line);
    if (!fence) continue;
    const marker = fence[1] as string;
    const [lang = '', ...rest] = (fence[2] as string).trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`).test(lines[j] as string)) {
      body.push(lines[j] as string);
      j++;
    }
    if (j === lines.length) throw new Error(`the block opened on line ${i + 1} is never closed`);
    blocks.push({ lang, info: rest.join(' '), code: body.join('\n'), line: i + 1, section });
    i = j;
  }
  return blocks;
}

export function readmeBlocksOf(path: string): ReadmeBlock[] {
  return readmeBlocks(readFileSync(path, 'utf8'));
}
