/**
 * The simple commands of a bash snippet, read the way bash reads them as far as README snippets go: comments,
 * `\` line continuations, quotes, `$NAME`, and the separators `&&`, `||`, `;`, `&`, `|` and newlines.
 */
export interface ShellCommand {
  /** The `NAME=value` words before the command. */
  readonly assignments: Readonly<Record<string, string>>;
  /** The words, quotes removed and variables expanded. */
  readonly argv: readonly string[];
  /** The command as written, without its comment. */
  readonly text: string;
  /** The comment after it on its line, if any. */
  readonly comment: string;
}

/**
 * Throws on what a reader could not copy and paste safely: an unset variable, an unclosed quote, or an unquoted
 * `?`, `*` or `[` (a glob: zsh, the macOS shell, stops at one that matches no file).
 */
export function shellCommands(script: string, vars: Readonly<Record<string, string>>): ShellCommand[] {
  const source = script.replace(/\\\n/g, ' ');
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word: string | undefined;
  let start = -1;
  let end = -1;
  let comment = '';
  let quote: "'" | '"' | undefined;

  const endWord = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) {
      const assignments: Record<string, string> = {};
      while (words.length > 0 && /^[A-Za-z_]\w*=/.test(words[0] as string)) {
        const [name, ...value] = (words.shift() as string).split('=');
        assignments[name as string] = value.join('=');
      }
      commands.push({ assignments, argv: words, text: source.slice(start, end).trim(), comment: comment.trim() });
    }
    words = [];
    start = -1;
    comment = '';
  };
  const expand = (at: number): number => {
    const name = /^\$(?:\{(\w+)\}|(\w+))/.exec(source.slice(at));
    if (!name) {
      word = (word ?? '') + '$';
      return at + 1;
    }
    const key = (name[1] ?? name[2]) as string;
    if (!(key in vars)) throw new Error(`$${key} is not set: give it a value in the snippet test`);
    word = (word ?? '') + vars[key];
    return at + name[0].length;
  };

  for (let i = 0; i < source.length; ) {
    const c = source[i] as string;
    const before = i;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word = (word ?? '') + c;
      i++;
    } else if (quote === '"') {
      if (c === '"') {
        quote = undefined;
        i++;
      } else if (c === '$') i = expand(i);
      else if (c === '\\' && /["$\\`]/.test(source[i + 1] ?? '')) {
        word = (word ?? '') + (source[i + 1] as string);
        i += 2;
      } else {
        word = (word ?? '') + c;
        i++;
      }
    } else if (c === '\n' || c === ';' || c === '&' || c === '|') {
      endCommand();
      i += (c === '&' || c === '|') && source[i + 1] === c ? 2 : 1;
      continue;
    } else if (c === '#' && word === undefined) {
      const eol = source.indexOf('\n', i);
      comment = source.slice(i + 1, eol < 0 ? source.length : eol);
      i = eol < 0 ? source.length : eol;
      continue;
    } else if (/\s/.test(c)) {
      endWord();
      i++;
      continue;
    } else if (c === "'" || c === '"') {
      quote = c;
      word = word ?? '';
      i++;
    } else if (c === '$') i = expand(i);
    else if (c === '\\') {
      word = (word ?? '') + (source[i + 1] ?? '');
      i += 2;
    } else if (/[?*[]/.test(c)) {
      throw new Error(`unquoted ${c} (a glob) in: ${source.slice(start < 0 ? i : start).split('\n')[0]}`);
    } else {
      word = (word ?? '') + c;
      i++;
    }
    // Only what belongs to a word gets here: the command's text runs from its first word to its last.
    if (start < 0) start = before;
    end = i;
  }
  if (quote !== undefined) throw new Error(`unclosed ${quote} in the snippet`);
  endCommand();
  return commands;
}
