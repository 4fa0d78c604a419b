/**
 * One fresh process: time `require(bundle)` and `activate()` with the stand-in `vscode` module,
 * print `{requireMs, activateMs}`. bench/activation.bench.ts runs this many times.
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
// What activation defers to the next turn: the cluster layer's own bundle, when there is one.
const clusterBundle = join(dirname(bundle), 'cluster.js');
let clusterRequireMs: number | undefined;
if (existsSync(clusterBundle)) {
  const t3 = performance.now();
  require(clusterBundle);
  clusterRequireMs = performance.now() - t3;
}
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, clusterRequireMs }) + '\n');
