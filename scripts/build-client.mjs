// Builds the presence client for browsers and for Node, unless both builds are newer than every file that went
// into them (so that a second `npm start` waits for no bundler). `--force` builds anyway.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(import.meta.url);
const root = resolve(dirname(script), '..');
const entry = 'src/client/presence-client.ts';

const builds = [
  // Served at /client/presence-client.js: socket.io-client bundled in.
  { entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2020', outfile: 'dist/public/client/presence-client.js' },
  // For Node and bundlers: socket.io-client stays an import.
  { entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', packages: 'external', outfile: 'dist/client/presence-client.mjs' },
];

// What the last build read and wrote, from esbuild's metafiles. A dot file, which no static server hands out.
const stampPath = join(root, 'dist', '.client-build.json');
// Every npm install rewrites it, while the files it installs keep the fixed old mtimes npm gives them.
const installRecord = 'node_modules/.package-lock.json';

const mtimeOf = (path) => {
  try {
    return statSync(join(root, path)).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Why the builds must run, or null when every output is newer than every input of the last build. */
function staleReason() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return 'no previous build';
  }
  const outputTimes = stamp.outputs.map(mtimeOf);
  if (outputTimes.some((t) => t === undefined)) return 'an output is missing';
  const oldestOutput = Math.min(...outputTimes);
  // A new import shows up as a change to a file the last build read; this script holds the options, and esbuild
  // reads tsconfig.json (useDefineForClassFields) and package.json without listing them among its inputs.
  for (const input of [...stamp.inputs, relative(root, script), 'tsconfig.json', 'package.json']) {
    const time = mtimeOf(input);
    if (time === undefined) return `${input} is gone`;
    if (time >= oldestOutput) return `${input} changed`;
  }
  if ((mtimeOf(installRecord) ?? 0) >= oldestOutput) return 'node_modules changed';
  return null;
}

async function build() {
  const esbuild = await import('esbuild');
  const inputs = new Set();
  const outputs = [];
  for (const options of builds) {
    const result = await esbuild.build({ ...options, absWorkingDir: root, logLevel: 'warning', metafile: true });
    for (const input of Object.keys(result.metafile.inputs)) inputs.add(input);
    outputs.push(...Object.keys(result.metafile.outputs));
  }
  writeFileSync(stampPath, `${JSON.stringify({ inputs: [...inputs].sort(), outputs }, null, 2)}\n`);
}

const reason = process.argv.includes('--force') ? 'forced' : staleReason();
if (reason !== null) {
  await build();
  if (process.argv.includes('--verbose')) console.log(`client built: ${reason}`);
} else if (process.argv.includes('--verbose')) {
  console.log('client up to date');
}
