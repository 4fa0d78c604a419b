/**
 * The sandbox's emulated tools (sandbox/exec/) against the real Debian binaries (issue 18): every command
 * line the prober builds and those users type, in every situation on loopback, run by both; exit codes,
 * stdout, stderr's message classes and the prober's verdict must agree, or the difference be listed with
 * its reason in docs/sandbox-tools.md. See test/conformance/tools/ for the rows, situations and sides.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { classifyToolResult } from '../../src/probe/classify.ts';
import type { ProbeVerdict } from '../../src/probe/types.ts';
import { compare, readDocumentedDifferences } from './tools/compare.ts';
import type { Compared, DocumentedDifference } from './tools/compare.ts';
import { proberShapes } from './tools/proberRows.ts';
import { allRows } from './tools/rows.ts';
import type { Row } from './tools/rows.ts';
import { podFiles, realHost, runEmulated } from './tools/sides.ts';
import type { Outcome, RealHost } from './tools/sides.ts';
import { startSituations } from './tools/situations.ts';
import type { Situations } from './tools/situations.ts';
import { TOOLS } from './tools/variants.ts';

/** A row's bound on each side: far above its tool's own timeout (1 s), far below the suite's. */
const ROW_LIMIT_MS = 8000;
const CONCURRENCY = 6;
const DOCS = 'docs/sandbox-tools.md';

/** The verdicts classifyToolResult can give that no row can produce, with the reason (none at present). */
const NOT_PRODUCIBLE: Partial<Record<ProbeVerdict, string>> = {};

interface Result {
  readonly row: Row;
  readonly real: Outcome;
  readonly emulated: Outcome;
  readonly verdicts?: { real: ProbeVerdict; emulated: ProbeVerdict };
  readonly compared: Compared;
}

function missingPrerequisites(): string[] {
  const problems: string[] = [];
  for (const binary of [
    'curl',
    'wget',
    'busybox',
    'nc',
    'bash',
    'nslookup',
    'getent',
    'unshare',
    'timeout',
  ]) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary]).status !== 0) {
      problems.push(`${binary} is not installed (.ci/run installs the Debian packages)`);
    }
  }
  if (process.getuid?.() !== 0) {
    problems.push('the real side runs in a mount namespace of its own (unshare -m): run as root');
  }
  return problems;
}

function verdictOf(row: Row, outcome: Outcome): ProbeVerdict | undefined {
  if (row.probe === undefined) {
    return undefined;
  }
  return classifyToolResult({
    command: row.probe.command,
    target: row.probe.target,
    exitCode: outcome.code,
    stdout: outcome.stdout,
    stderr: outcome.stderr,
    elapsedMs: outcome.elapsedMs,
  }).verdict;
}

async function runRow(row: Row, host: RealHost, dns: string): Promise<Result> {
  const input = {
    argv: row.argv,
    ...(row.hostArgv === undefined ? {} : { hostArgv: row.hostArgv }),
    ...(row.stdin === undefined ? {} : { stdin: row.stdin }),
    flavours: row.flavours,
    tools: TOOLS,
    limitMs: ROW_LIMIT_MS,
    ...(row.network === undefined ? {} : { network: row.network }),
  };
  const [real, emulated] = await Promise.all([host.run(input), runEmulated(input, dns)]);
  const realVerdict = verdictOf(row, real);
  const emulatedVerdict = verdictOf(row, emulated);
  const verdicts =
    realVerdict === undefined || emulatedVerdict === undefined
      ? undefined
      : { real: realVerdict, emulated: emulatedVerdict };
  return {
    row,
    real,
    emulated,
    ...(verdicts ? { verdicts } : {}),
    compared: compare(real, emulated, { stdout: row.stdout, ...(verdicts ? { verdicts } : {}) }),
  };
}

/** A loopback address for the DNS server (port 53), random so that parallel runs on one machine differ. */
function dnsAddress(): string {
  const byte = (): number => 1 + Math.floor(Math.random() * 254);
  return `127.53.${byte()}.${byte()}`;
}

const problems = missingPrerequisites();

describe('the sandbox tools against the real Debian binaries', { timeout: 90_000 }, () => {
  let situations: Situations;
  let host: RealHost;
  let rows: Row[];
  const results = new Map<string, Result>();
  let documented: DocumentedDifference[];

  before(
    async () => {
      assert.deepEqual(problems, [], problems.join('; '));
      documented = readDocumentedDifferences(DOCS);
      let dns = dnsAddress();
      for (let attempt = 0; ; attempt += 1) {
        try {
          situations = await startSituations(dns);
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) {
            throw error;
          }
          dns = dnsAddress();
        }
      }
      host = realHost(await podFiles(situations.dns));
      rows = allRows(situations);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < rows.length) {
          const row = rows[next++]!;
          results.set(row.id, await runRow(row, host, situations.dns));
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    },
    { timeout: 60_000 },
  );

  after(async () => {
    host?.dispose();
    await situations?.close();
  });

  test('every row ends within its limit on both sides', () => {
    const killed = [...results.values()]
      .filter((result) => result.real.killed || result.emulated.killed)
      .map((result) => `${result.row.id} (${result.real.killed ? 'real' : 'sandbox'})`);
    assert.deepEqual(killed, []);
  });

  test('the rows differ exactly where docs/sandbox-tools.md says, and nowhere else', () => {
    const unexplained: string[] = [];
    const used = new Set<DocumentedDifference>();
    for (const result of results.values()) {
      const entries = documented.filter((entry) => entry.matches(result.row.id));
      const allowed = new Set(entries.flatMap((entry) => [...entry.aspects]));
      for (const aspect of result.compared.aspects) {
        if (!allowed.has(aspect)) {
          unexplained.push(
            `${result.row.id}: ${result.compared.details.filter((d) => d.startsWith(aspect)).join('; ')}`,
          );
        }
        for (const entry of entries) {
          if (entry.aspects.has(aspect)) {
            used.add(entry);
          }
        }
      }
    }
    assert.deepEqual(unexplained, [], `differences not in ${DOCS}:\n${unexplained.join('\n')}`);
    const stale = documented.filter((entry) => !used.has(entry)).map((entry) => entry.rows);
    assert.deepEqual(stale, [], `${DOCS} lists differences no row shows any more: remove them`);
  });

  test('the prober classifies the real and the emulated run of every row alike', () => {
    const apart = [...results.values()]
      .filter((result) => result.verdicts !== undefined && result.verdicts.real !== result.verdicts.emulated)
      .filter(
        (result) => !documented.some((entry) => entry.matches(result.row.id) && entry.aspects.has('verdict')),
      )
      .map(
        (result) => `${result.row.id}: real ${result.verdicts!.real}, sandbox ${result.verdicts!.emulated}`,
      );
    assert.deepEqual(apart, []);
  });

  test("the table covers every command shape of the prober's builder and every verdict it can give", () => {
    const ids = [...results.keys()];
    const unrun = proberShapes()
      .map((shape) => shape.name)
      .filter((name) => !ids.some((id) => id.startsWith(`${name} `)));
    assert.deepEqual(unrun, []);
    const seen = new Set([...results.values()].map((result) => result.verdicts?.real));
    // Read from classify.ts itself, so that a verdict it learns to give is a verdict this table must show.
    const all = [
      ...new Set(
        [...readFileSync('src/probe/classify.ts', 'utf8').matchAll(/verdict: '([a-z-]+)'/g)].map(
          (m) => m[1]!,
        ),
      ),
    ] as ProbeVerdict[];
    assert.ok(all.length >= 10, `classify.ts gives ${all.length} verdicts: the pattern no longer reads it`);
    const missing = all.filter((verdict) => !seen.has(verdict) && NOT_PRODUCIBLE[verdict] === undefined);
    assert.deepEqual(missing, []);
  });
});
