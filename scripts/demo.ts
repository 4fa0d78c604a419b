/**
 * `npm run demo`: checks that the machine has what the demo needs (scripts/preflight.ts) before it
 * builds or downloads anything, then builds and packages KubeReach, installs code-server on first
 * use (with progress), starts the sandbox with the demo scenario, and serves the real VS Code
 * (code-server) on 127.0.0.1 with KubeReach installed from the fresh .vsix, the sandbox's kubeconfig
 * in its environment and a workspace of the demo's manifests.
 *
 * Whatever ends it (Ctrl-C, SIGTERM, a failure at any step), everything it started is undone: the
 * code-server install stopped, code-server and the sandbox stopped, the temporary workspace removed.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSandbox } from '../sandbox/spawn.ts';
import {
  CODE_SERVER_VERSION,
  ROOT,
  codeServerInstalled,
  installCodeServer,
  startCodeServer,
} from '../test/e2e/support/codeServer.ts';
import { preflight, preflightMessage, systemProbes } from './preflight.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
const port = Number(values.port);

/** What to undo, in the order things were started (undone newest first). */
const cleanups: (() => Promise<void> | void)[] = [];
const aborted = new AbortController();
let phase: 'starting' | 'ready' | 'ending' = 'starting';
/** The step under way, which end() lets settle so that what it started is undone too. */
let inFlight: Promise<unknown> | undefined;

class Stopped extends Error {}

/** Read through a function: TypeScript would narrow the variable across the awaits of the start. */
const ending = () => phase === 'ending';

/** Awaits one step of the start; registers how to undo what it started; stops if the demo is ending. */
async function step<T>(work: Promise<T>, undo?: (value: T) => Promise<void> | void): Promise<T> {
  inFlight = work;
  const value = await work;
  if (undo) {
    cleanups.push(() => undo(value));
  }
  if (ending()) {
    throw new Stopped();
  }
  return value;
}

async function end(code: number, message?: string): Promise<void> {
  if (phase === 'ending') {
    return;
  }
  const wasReady = phase === 'ready';
  phase = 'ending';
  aborted.abort();
  if (inFlight && !wasReady) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      inFlight.catch(() => undefined),
      new Promise((done) => (timer = setTimeout(done, 30_000))),
    ]);
    clearTimeout(timer);
  }
  for (const cleanup of cleanups.reverse()) {
    await Promise.resolve()
      .then(cleanup)
      .catch((error: unknown) => console.error(`(while cleaning up: ${String(error)})`));
  }
  if (message) {
    console.error(message);
  }
  process.exit(code);
}

process.on('SIGINT', () => void end(130, phase === 'ready' ? undefined : '\nThe demo was stopped.'));
process.on('SIGTERM', () => void end(143));

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      signal: aborted.signal,
    });
    child.once('error', fail);
    child.once('close', (code) =>
      code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} failed (${code})`)),
    );
  });
}

const probes = systemProbes({ port, codeServerInstalled: codeServerInstalled() });
const problem = preflightMessage(await preflight(probes), probes);
if (problem) {
  await end(1, problem);
}

try {
  console.log('Building and packaging KubeReach…');
  await step(run('npm', ['run', '--silent', 'package']));

  if (!codeServerInstalled()) {
    console.log(`Installing code-server ${CODE_SERVER_VERSION} (first run only; a few minutes)…`);
    await step(
      installCodeServer({
        signal: aborted.signal,
        progress: (ms) => console.log(`  still installing code-server… ${Math.round(ms / 1000)} s`),
      }),
    );
  }

  console.log('Starting the sandbox (demo scenario)…');
  const sandbox = await step(spawnSandbox(['--scenario', 'demo']), (started) => started.stop());

  const workspace = mkdtempSync(join(tmpdir(), 'kubereach-demo-'));
  cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
  cpSync(join(ROOT, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
  cpSync(join(ROOT, 'sandbox/scenarios/demo.yaml'), join(workspace, 'demo-cluster.yaml'));

  console.log('Starting VS Code (code-server)…');
  const codeServer = await step(
    startCodeServer({
      workspace,
      kubeconfig: sandbox.kubeconfigPath,
      port,
      vsix: join(ROOT, 'kubereach.vsix'),
      settings: { 'git.openRepositoryInParentFolders': 'never' },
      log: (line) => console.log(`[code-server] ${line}`),
    }),
    (started) => started.stop(),
  );

  phase = 'ready';
  console.log(`\nKubeReach demo ready: open ${codeServer.url} in your browser.`);
  console.log(
    `The sandbox's kubeconfig: ${sandbox.kubeconfigPath}  (KUBECONFIG=${sandbox.kubeconfigPath} kubectl get pods -A)`,
  );
  // As an ordinary user, where the sandbox serves ports below 1024 (port 80 of the Ingress and Gateway).
  sandbox.portSummary.forEach((line) => console.log(line));
  console.log('Ctrl-C stops the demo.');
} catch (error) {
  if (!(error instanceof Stopped) && !ending()) {
    const text = error instanceof Error ? error.message : String(error);
    await end(
      1,
      /EADDRINUSE/.test(text)
        ? `\nThe demo could not start: port ${port} on 127.0.0.1 is in use. Try: npm run demo -- --port ${port + 1}`
        : // The details first, then the one line that says what failed.
          `\n${text.split('\n').slice(1).join('\n').trim()}\nThe demo could not start: ${text.split('\n')[0]}`.replace(
            /^\n\n/,
            '\n',
          ),
    );
  }
}
