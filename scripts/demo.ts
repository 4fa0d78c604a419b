/**
 * `npm run demo`: builds and packages KubeReach, starts the sandbox with the demo scenario, and
 * serves the real VS Code (code-server) on 127.0.0.1 with KubeReach installed from the fresh .vsix,
 * the sandbox's kubeconfig in its environment and a workspace of the demo's manifests.
 * Ctrl-C stops everything.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSandbox } from '../sandbox/spawn.ts';
import { ROOT, startCodeServer } from '../test/e2e/support/codeServer.ts';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });

console.log('Building and packaging KubeReach…');
execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
console.log('Starting the sandbox (demo scenario)…');
const sandbox = await spawnSandbox(['--scenario', 'demo']);
const workspace = mkdtempSync(join(tmpdir(), 'kubereach-demo-'));
cpSync(join(ROOT, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
cpSync(join(ROOT, 'sandbox/scenarios/demo.yaml'), join(workspace, 'demo-cluster.yaml'));
console.log('Starting VS Code (code-server)…');
let codeServer: Awaited<ReturnType<typeof startCodeServer>>;
try {
  codeServer = await startCodeServer({
    workspace,
    kubeconfig: sandbox.kubeconfigPath,
    port: Number(values.port),
    vsix: join(ROOT, 'kubereach.vsix'),
    settings: { 'git.openRepositoryInParentFolders': 'never' },
    log: (line) => console.log(`[code-server] ${line}`),
  });
} catch (error) {
  // Leave nothing behind: the sandbox and the workspace go with the failed start.
  await sandbox.stop();
  rmSync(workspace, { recursive: true, force: true });
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    /EADDRINUSE/.test(message)
      ? `\nThe demo could not start: port ${values.port} on 127.0.0.1 is in use. Try: npm run demo -- --port ${Number(values.port) + 1}`
      : `\nThe demo could not start VS Code (code-server): ${message.split('\n')[0]}`,
  );
  process.exit(1);
}

console.log(`\nKubeReach demo ready: open ${codeServer.url} in your browser.`);
console.log(
  `The sandbox's kubeconfig: ${sandbox.kubeconfigPath}  (KUBECONFIG=${sandbox.kubeconfigPath} kubectl get pods -A)`,
);
console.log('Ctrl-C stops the demo.');

let stopping = false;
const stop = async () => {
  if (stopping) {
    return;
  }
  stopping = true;
  await codeServer.stop();
  await sandbox.stop();
  rmSync(workspace, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
