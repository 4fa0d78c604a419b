/**
 * An HTTP client in a process of its own, as a user's browser or curl is: a forward under test
 * then has its process to itself instead of sharing it with the client that measures it.
 *
 *   node bench/support/client.ts download HOST PORT BYTES   → {"mbps": …}
 *   node bench/support/client.ts concurrent HOST PORT N     → {"ok": …, "ms": …, "errors": […]}
 */
import { request } from 'node:http';
import { downloadRate } from '../lib.ts';

const [mode, host, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);

function get(): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

if (mode === 'download') {
  process.stdout.write(JSON.stringify({ mbps: await downloadRate(host!, port, count) }) + '\n');
} else if (mode === 'concurrent') {
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: count }, () => get()));
  process.stdout.write(
    JSON.stringify({
      ok: results.filter((r) => r.status === 'fulfilled').length,
      ms: performance.now() - t0,
      errors: [...new Set(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : [])))],
    }) + '\n',
  );
} else {
  throw new Error(`unknown mode ${mode}`);
}
