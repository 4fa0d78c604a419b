/**
 * One fresh process: time `require(bundle)` and `activate()` with the stand-in `vscode` module,
 * print `{requireMs, activateMs, clusterRequireMs, languageClientRequireMs}`. bench/activation.bench.ts runs this many times.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createVscodeStandIn,
  extensionContext,
  installVscodeStandIn,
} from '../../test/support/vscodeStandIn.ts';

const bundle = process.argv[2];
if (!bundle) {
  throw new Error('usage: activateOnce.ts BUNDLE [PACKAGE_JSON]');
}
const packageJSON = process.argv[3]
  ? JSON.parse(readFileSync(process.argv[3], 'utf8'))
  : { version: '0.0.0' };
const { api } = createVscodeStandIn();
installVscodeStandIn(api);
const require = createRequire(import.meta.url);

const t0 = performance.now();
const extension = require(bundle) as { activate(context: unknown): unknown };
const t1 = performance.now();
await extension.activate(extensionContext(dirname(dirname(bundle)), packageJSON));
const t2 = performance.now();
/** What activation defers: a sibling bundle's require time, when the build has that bundle. */
function deferred(name: string): number | undefined {
  const path = join(dirname(bundle!), name);
  if (!existsSync(path)) {
    return undefined;
  }
  const start = performance.now();
  require(path);
  return performance.now() - start;
}
// The cluster layer is required on the turn after activation; the language client on the first YAML document.
const clusterRequireMs = deferred('cluster.js');
const languageClientRequireMs = deferred('languageClient.js');
process.stdout.write(
  JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, clusterRequireMs, languageClientRequireMs }) +
    '\n',
);
