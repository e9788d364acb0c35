/**
 * Checks a README bash snippet command by command: every npm script it names exists (with the flags it passes),
 * every `curl` runs against the real service and its answer matches openapi.yaml, `npm run smoke` runs, and every
 * start of the service (`npm start`, `node dist/main.js`) has settings that load (and logs what its comment says it
 * `logs`). A command it has no check for is a problem: add one here.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSmoke, smokeOptionsFrom } from '../../../src/cli/smoke';
import { loadConfig, type Env } from '../../../src/config';
import { buildTestApp } from '../build-test-app';
import { spec, specProblems } from '../openapi-spec';
import { shellCommands, type ShellCommand } from './shell-commands';
import type { SnippetService } from './snippet-service';

const root = resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };

/** The service's address as the README writes it. */
const readmeAddress = 'localhost:5000';

/** Tools snippets call that this check leaves alone, and why it does not run them. */
const externalTools: Readonly<Record<string, string>> = {
  'redis-server': 'starts a Redis server on the machine',
  createdb: 'creates a database on the machine',
};

/** npm's own commands, which are not scripts. */
const npmCommands = new Set(['install', 'ci']);

export interface BashFixture {
  /** Without a secret: what `npm run smoke` without a token talks to. */
  readonly open: SnippetService;
  /** With a secret and a METRICS_TOKEN: what `curl` and `npm run smoke --token` talk to. */
  readonly secured: SnippetService;
  /** The values of the variables the snippets use (`$JWT`, `$METRICS_TOKEN`…). */
  readonly vars: Readonly<Record<string, string>>;
}

interface CurlAnswer {
  readonly status: number;
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
}

/** The file a script runs: a `.ts` file it names, or the source of the `dist/….js` it names. */
function scriptSource(script: string): string | undefined {
  const ts = /(\S+\.ts)\b/.exec(script)?.[1];
  if (ts) return resolve(root, ts);
  const built = /\bdist\/(\S+)\.js\b/.exec(script)?.[1];
  return built ? resolve(root, 'src', `${built}.ts`) : undefined;
}

/** Flags of a script that parses them by hand: each must be one its source reads (`'--quick'`). */
function flagProblems(name: string, args: readonly string[]): string[] {
  const flags = args.filter((a) => a.startsWith('--'));
  if (flags.length === 0) return [];
  const source = scriptSource(pkg.scripts[name] ?? '');
  if (source === undefined || !existsSync(source)) return [`npm run ${name}: cannot find the file its flags are read in`];
  const text = readFileSync(source, 'utf8');
  return flags.filter((flag) => !text.includes(`'${flag}'`)).map((flag) => `npm run ${name}: ${flag} is not a flag ${source.slice(root.length + 1)} reads`);
}

/** The settings must load; a start whose comment says what it `logs` is made, on any free port, and must log it. */
async function serviceStartProblems(command: ShellCommand, env: Env): Promise<string[]> {
  const settings = { ...env, ...command.assignments };
  try {
    loadConfig(settings);
  } catch (error) {
    return [`${command.text}: the service would not start: ${(error as Error).message}`];
  }
  const claim = /^logs\s+(.+)$/.exec(command.comment)?.[1];
  if (claim === undefined) return [];
  const lines: string[] = [];
  const app = await buildTestApp(settings, {}, { log: (line) => lines.push(line) });
  await app.stop();
  const started = lines.find((line) => line.includes('presence service listening')) ?? '(no start line)';
  return started.includes(claim) ? [] : [`${command.text}: logs ${started.trim()}, not ${claim}`];
}

async function smokeProblems(args: readonly string[], fixture: BashFixture): Promise<string[]> {
  let options: ReturnType<typeof smokeOptionsFrom>;
  try {
    options = smokeOptionsFrom([...args], {});
  } catch (error) {
    return [`npm run smoke -- ${args.join(' ')}: ${(error as Error).message}`];
  }
  if (options === 'help') return [];
  // The README's --url stands for "your service": the run goes to the one under test, with or without a secret.
  const target = options.token === undefined ? fixture.open : fixture.secured;
  const result = await runSmoke({ ...options, url: target.app.url, write: () => undefined });
  return result.failed === 0 ? [] : [`npm run smoke ${args.join(' ')}: ${result.lines.join('; ')}`];
}

async function npmProblems(command: ShellCommand, env: Env, fixture: BashFixture): Promise<string[]> {
  const [, sub = '', ...rest] = command.argv;
  if (npmCommands.has(sub)) return [];
  const name = sub === 'run' ? (rest.shift() ?? '') : sub;
  if (sub !== 'run' && sub !== 'start' && sub !== 'test') return [`${command.text}: no check for \`npm ${sub}\``];
  if (!(name in pkg.scripts)) return [`${command.text}: package.json has no script "${name}"`];
  if (rest.length > 0 && rest[0] !== '--') return [`${command.text}: a script's arguments go after --`];
  const args = rest.slice(1);
  if (name === 'smoke') return smokeProblems(args, fixture);
  if (name === 'start') return [...flagProblems(name, args), ...(await serviceStartProblems(command, env))];
  return flagProblems(name, args);
}

async function nodeProblems(command: ShellCommand, env: Env): Promise<string[]> {
  const [, file = '', ...args] = command.argv;
  if (file === pkg.main && args.length === 0) return serviceStartProblems(command, env);
  const source = scriptSource(file);
  return source !== undefined && existsSync(source) && args.length === 0 ? [] : [`${command.text}: no check for this node command`];
}

/** Runs the curl commands as written, in one bash, against the service; `-w` adds each answer's status. */
async function runCurls(commands: readonly ShellCommand[], fixture: BashFixture): Promise<CurlAnswer[]> {
  const marker = '@@readme-curl@@';
  const address = `127.0.0.1:${fixture.secured.app.port}`;
  const script = [
    'set -u',
    `curl() { command curl --show-error --max-time 5 -w '\\n${marker} %{http_code} %{url_effective} %{content_type}\\n' "$@"; }`,
    ...commands.map((c) => c.text.split(readmeAddress).join(address)),
  ].join('\n');
  const stdout = await new Promise<string>((done, fail) =>
    execFile('bash', ['-c', script], { env: { PATH: process.env['PATH'] ?? '', ...fixture.vars }, timeout: 20_000 }, (error, out, err) =>
      error ? fail(new Error(`${error.message}\n${err}`)) : done(out),
    ),
  );
  const answers: CurlAnswer[] = [];
  for (const m of stdout.matchAll(new RegExp(`([\\s\\S]*?)\\n${marker} (\\d+) (\\S+) ?(.*)\\n`, 'g'))) {
    answers.push({ body: m[1] as string, status: Number(m[2]), url: m[3] as string, contentType: m[4] as string });
  }
  return answers;
}

/** The spec's path template a concrete path falls under (`/presence/7` → `/presence/{userId}`). */
function templateOf(path: string): string | undefined {
  const templates = Object.keys(spec['paths'] as object);
  if (templates.includes(path)) return path;
  return templates.find((t) => new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path));
}

function answerProblems(command: ShellCommand, answer: CurlAnswer): string[] {
  const path = new URL(answer.url).pathname;
  const template = templateOf(path);
  if (answer.status !== 200) return [`${command.text}: answered ${answer.status} ${answer.body}`];
  if (template === undefined) return [`${command.text}: ${path} is not in openapi.yaml`];
  const json = answer.contentType.startsWith('application/json');
  const body = json ? (JSON.parse(answer.body) as unknown) : answer.body;
  return specProblems('GET', template, { status: answer.status, headers: { 'content-type': answer.contentType }, body, text: answer.body }).map(
    (p) => `${command.text}: ${p}`,
  );
}

export async function bashSnippetProblems(code: string, fixture: BashFixture): Promise<string[]> {
  let commands: ShellCommand[];
  try {
    commands = shellCommands(code, fixture.vars);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const env: Record<string, string> = {};
  const curls: ShellCommand[] = [];
  for (const command of commands) {
    const [program = ''] = command.argv;
    if (program === 'npm') problems.push(...(await npmProblems(command, env, fixture)));
    else if (program === 'node') problems.push(...(await nodeProblems(command, env)));
    else if (program === 'curl') curls.push(command);
    else if (program === 'export') {
      for (const assignment of command.argv.slice(1)) {
        const [name, ...value] = assignment.split('=');
        if (value.length === 0) problems.push(`${command.text}: exports ${name} without a value`);
        else env[name as string] = value.join('=');
      }
    } else if (!(program in externalTools)) problems.push(`${command.text}: no check for \`${program}\` (add one to bash-snippet.checker.ts)`);
  }
  if (curls.length > 0) {
    const answers = await runCurls(curls, fixture);
    if (answers.length !== curls.length) problems.push(`ran ${curls.length} curl commands, got ${answers.length} answers`);
    else curls.forEach((command, i) => problems.push(...answerProblems(command, answers[i] as CurlAnswer)));
  }
  return problems;
}
