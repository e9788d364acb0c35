import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { bashSnippetProblems, type BashFixture } from '../../support/readme/bash-snippet.checker';
import { fileTreeProblems } from '../../support/readme/file-tree.checker';
import { jsonSnippetProblems } from '../../support/readme/json-snippet.checker';
import { mermaidProblems } from '../../support/readme/mermaid-snippet.checker';
import { readmeBlocks, type ReadmeBlock } from '../../support/readme/readme-blocks';
import { startSnippetService, type SnippetService } from '../../support/readme/snippet-service';
import { snippetStandIns } from '../../support/readme/snippet-stand-ins';
import { closeAllSockets } from '../../support/socket-client';
import { signToken } from '../../support/tokens';
import { jsScenarios } from './js-snippet.scenarios';

const root = resolve(__dirname, '../../..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);

/** Runs the one scenario that claims the block, against a service without a secret and one with. */
async function jsProblems(block: Pick<ReadmeBlock, 'code'>): Promise<string[]> {
  const claimants = jsScenarios.filter((scenario) => block.code.includes(scenario.claims));
  if (claimants.length !== 1) {
    return [`${claimants.length} scenarios claim this block (${claimants.map((c) => c.name).join('; ')}); one must, in test/e2e/readme/js-snippet.scenarios.ts`];
  }
  const scenario = claimants[0] as (typeof jsScenarios)[number];
  for (const secured of [false, true]) {
    const service = await startSnippetService(secured);
    const standIns = snippetStandIns(service);
    try {
      await scenario.run(block.code, service, standIns);
    } catch (error) {
      if (error instanceof Error) error.message = `${secured ? 'with' : 'without'} a secret: ${error.message}`;
      throw error;
    } finally {
      standIns.close();
      closeAllSockets();
      await service.app.stop();
    }
  }
  return [];
}

describe('every README snippet', () => {
  let fixture: BashFixture;
  const services: SnippetService[] = [];

  beforeAll(async () => {
    const open = await startSnippetService(false);
    const secured = await startSnippetService(true, { METRICS_TOKEN: 'readme-metrics-token' });
    services.push(open, secured);
    // More than a page of 100, with users 7 and 42 and agents among them: every curl of the README has an answer.
    for (let id = 1; id <= 150; id++) {
      await secured.app.service.goOnline({ connectionId: `readme-${id}`, nodeId: 'readme', userId: id, userType: id % 2 === 1 ? 'agent' : 'customer' });
    }
    const JWT = signToken({ sub: 'readme-reader' });
    const first = (await (await fetch(`${secured.app.url}/presence?limit=100`, { headers: { authorization: `Bearer ${JWT}` } })).json()) as { nextCursor: string };
    fixture = { open, secured, vars: { JWT, METRICS_TOKEN: 'readme-metrics-token', NEXT_CURSOR: first.nextCursor } };
  });

  afterAll(async () => {
    closeAllSockets();
    for (const service of services) await service.app.stop();
  });

  /** How a block of each language is checked. A block in any other language, or none, fails: give it a checker. */
  const checkers: Readonly<Record<string, (block: ReadmeBlock) => Promise<string[]>>> = {
    bash: (block) => bashSnippetProblems(block.code, fixture),
    js: jsProblems,
    text: async (block) => fileTreeProblems(block.code, root),
    json: async (block) => jsonSnippetProblems(block.code, block.info),
    mermaid: async (block) => mermaidProblems(block.code, root),
  };

  const problemsOf = (block: ReadmeBlock): Promise<string[]> => {
    const check = checkers[block.lang];
    if (check === undefined) {
      return Promise.resolve([`no checker for \`\`\`${block.lang || '(no language)'} blocks: tag the block, or add a checker to readme-snippets.test.ts`]);
    }
    return check(block);
  };

  it('are all found: every fence in the README opens or closes a block', () => {
    expect(readme.match(/^ {0,3}(```|~~~)/gm)?.length).toBe(2 * blocks.length);
  });

  it.each(blocks.map((block) => [`README.md:${block.line} \`\`\`${block.lang} under "${block.section}"`, block] as const))(
    '%s runs, or is checked',
    async (_, block) => {
      expect(await problemsOf(block)).toEqual([]);
    },
  );

  it('has a block for each JavaScript scenario', () => {
    const unclaimed = jsScenarios.filter((scenario) => !blocks.some((block) => block.lang === 'js' && block.code.includes(scenario.claims)));
    expect(unclaimed.map((scenario) => scenario.name)).toEqual([]);
  });

  describe('fails', () => {
    const block = (lang: string, code: string, info = ''): ReadmeBlock => ({ lang, info, code, line: 0, section: 'test' });

    it('a block in a language no checker knows, or in none', async () => {
      expect(await problemsOf(block('python', 'print(1)'))).toHaveLength(1);
      expect(await problemsOf(block('', 'anything'))).toHaveLength(1);
    });

    it('a JavaScript block no scenario claims', async () => {
      expect(await problemsOf(block('js', 'console.log(1);'))).toHaveLength(1);
    });

    it('a command it has no check for, a missing script or flag, an unset variable, a glob, and a curl the service refuses', async () => {
      expect(await problemsOf(block('bash', 'frobnicate --now'))).toEqual([expect.stringContaining('no check for `frobnicate`')]);
      expect(await problemsOf(block('bash', 'npm run no-such-script'))).toEqual([expect.stringContaining('no script "no-such-script"')]);
      expect(await problemsOf(block('bash', 'npm run bench -- --no-such-flag'))).toEqual([expect.stringContaining('--no-such-flag is not a flag')]);
      expect(await problemsOf(block('bash', 'npm run smoke -- --no-such-flag'))).toHaveLength(1);
      expect(await problemsOf(block('bash', 'npm run smoke -- --token not-a-token'))).toEqual([expect.stringContaining('FAIL connect')]);
      expect(await problemsOf(block('bash', 'curl -s localhost:5000/presence -H "Authorization: Bearer $NO_SUCH_VAR"'))).toEqual([
        expect.stringContaining('$NO_SUCH_VAR is not set'),
      ]);
      expect(await problemsOf(block('bash', 'curl -s localhost:5000/presence?limit=1'))).toEqual([expect.stringContaining('unquoted ?')]);
      expect(await problemsOf(block('bash', 'curl -s localhost:5000/presence/never-seen -H "Authorization: Bearer $JWT"'))).toEqual([
        expect.stringContaining('answered 404'),
      ]);
      expect(await problemsOf(block('bash', 'curl -s localhost:5000/presence'))).toEqual([expect.stringContaining('answered 401')]);
      expect(await problemsOf(block('bash', 'PRESENCE_REPLAY_SIZE=10 node dist/main.js'))).toEqual([expect.stringContaining('must be at least 100')]);
      expect(await problemsOf(block('bash', 'npm start  # logs "persistence":"postgres'))).toEqual([expect.stringContaining('"persistence":"memory"')]);
    });

    it('an example answer that does not match openapi.yaml, or does not say which answer it is', async () => {
      const page = { seq: 0, users: [], total: 0, nextCursor: null, asOf: '2026-11-27T20:11:30.000Z', maxStalenessMs: 61000, nodeLossBoundMs: null };
      expect(await problemsOf(block('json', JSON.stringify(page), 'GET /presence 200'))).toEqual([]);
      expect(await problemsOf(block('json', JSON.stringify({ ...page, total: -1 }), 'GET /presence 200'))).not.toEqual([]);
      expect(await problemsOf(block('json', JSON.stringify(page)))).toHaveLength(1);
    });

    it('a diagram that names a class, a module, a file or a call the code does not have', async () => {
      expect(await problemsOf(block('mermaid', 'flowchart TB\n  a["PresenceService and TransitionFanout in container.ts"]'))).toEqual([]);
      expect(await problemsOf(block('mermaid', 'flowchart TB\n  a["NoSuchRouter"] --> b["gone.module"]\n  c["nowhere.ts"]'))).toEqual([
        'NoSuchRouter is defined nowhere in src/',
        'gone.module is not a module in src/composition/',
        'nowhere.ts is not in src/',
      ]);
      expect(await problemsOf(block('mermaid', 'sequenceDiagram\n  A->>B: vanishedCall(x)'))).toEqual(['vanishedCall( is called or defined nowhere in src/']);
      expect(await problemsOf(block('mermaid', 'pie\n  "a": 1'))).toHaveLength(1);
    });

    it('a file tree that names a file that is not there', async () => {
      expect(await problemsOf(block('text', 'src/\n  config.ts     settings\n  nowhere.ts    gone'))).toEqual(['src/nowhere.ts does not exist']);
    });
  });
});
