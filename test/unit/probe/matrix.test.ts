import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { cellText, launchOrder, runMatrix, toCsv, toMarkdown } from '../../../src/probe/matrix.ts';
import type { MatrixGrid, MatrixProbeContext } from '../../../src/probe/matrix.ts';
import type { ProbeResult, ProbeVerdict } from '../../../src/probe/types.ts';

function result(verdict: ProbeVerdict, extra: Partial<ProbeResult> = {}): ProbeResult {
  return {
    source: { namespace: 'ns', pod: 'p', debugContainer: false },
    target: { label: 't', protocol: 'http', host: 'h', port: 80 },
    verdict,
    reachable: verdict === 'reachable' || verdict === 'http-error-status',
    message: `${verdict}.`,
    elapsedMs: 12,
    stdout: '',
    stderr: '',
    notes: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

const labels = { sourceLabel: (s: string) => s, targetLabel: (t: string) => t };

describe('runMatrix', () => {
  test('runs every cell once, never more than `concurrency` at a time, reporting progress', async () => {
    const sources = ['a', 'b', 'c', 'd', 'e'];
    const targets = ['1', '2', '3', '4', '5', '6'];
    let inFlight = 0;
    let most = 0;
    const seen: string[] = [];
    const progress: number[] = [];
    const grid = await runMatrix(sources, targets, {
      ...labels,
      concurrency: 3,
      timeoutMs: 1234,
      onProgress: (p) => {
        progress.push(p.done);
        assert.equal(p.total, 30);
      },
      probe: async (source, target, context) => {
        assert.equal(context.timeoutMs, 1234);
        seen.push(`${source}${target}`);
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(2 + ((source.charCodeAt(0) + Number(target)) % 4));
        inFlight--;
        return result('reachable', {
          httpStatus: 200,
          target: { label: target, protocol: 'http', host: target, port: 80 },
        });
      },
    });
    assert.equal(most, 3);
    assert.equal(new Set(seen).size, 30);
    assert.deepEqual(
      progress,
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.deepEqual(grid.sources, sources);
    assert.deepEqual(grid.targets, targets);
    assert.equal(grid.completed, 30);
    assert.equal(grid.cancelled, false);
    assert.equal(grid.concurrency, 3);
    grid.cells.forEach((row) =>
      row.forEach((cell, column) => assert.equal(cell?.target.label, targets[column])),
    );
  });

  test('defaults to 8 at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const grid = await runMatrix(
      Array.from({ length: 4 }, (_, i) => `s${i}`),
      Array.from({ length: 5 }, (_, i) => `t${i}`),
      {
        ...labels,
        probe: async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await sleep(5);
          inFlight--;
          return result('refused');
        },
      },
    );
    assert.equal(most, 8);
    assert.equal(grid.concurrency, 8);
  });

  test('launches diagonally: consecutive probes come from different sources and aim at different targets', () => {
    const order = launchOrder(4, 5);
    assert.equal(new Set(order.map(([r, c]) => `${r},${c}`)).size, 20);
    for (let i = 1; i < order.length; i++) {
      assert.notEqual(order[i]![0], order[i - 1]![0]);
    }
    assert.deepEqual(order.slice(0, 4), [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    assert.deepEqual(launchOrder(1, 3), [
      [0, 0],
      [0, 1],
      [0, 2],
    ]);
    assert.deepEqual(launchOrder(0, 3), []);
  });

  test('cancellation stops launching, closes what runs, and resolves with what was done', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const started = performance.now();
    setTimeout(() => controller.abort(), 50);
    const grid = await runMatrix(['a', 'b', 'c'], ['1', '2', '3', '4'], {
      ...labels,
      concurrency: 2,
      signal: controller.signal,
      probe: (source, _target, context: MatrixProbeContext) => {
        signals.push(context.signal);
        if (source === 'a') {
          return Promise.resolve(result('reachable'));
        }
        // The others hang until cancelled, as an exec would until it is closed.
        return new Promise((resolve) =>
          context.signal.addEventListener('abort', () => resolve(result('cancelled')), { once: true }),
        );
      },
    });
    assert.ok(performance.now() - started < 1000);
    assert.equal(grid.cancelled, true);
    assert.ok(signals.every((signal) => signal.aborted));
    const cells = grid.cells.flat();
    assert.ok(cells.includes(null), 'cells never launched stay empty');
    assert.ok(
      cells.some((cell) => cell?.verdict === 'cancelled'),
      'the running ones were closed',
    );
    assert.equal(grid.completed, cells.filter((cell) => cell !== null).length);
    assert.ok(grid.completed < 12);
  });

  test('an aborted signal runs nothing', async () => {
    let calls = 0;
    const grid = await runMatrix(['a'], ['1'], {
      ...labels,
      signal: AbortSignal.abort(),
      probe: () => {
        calls++;
        return Promise.resolve(result('reachable'));
      },
    });
    assert.equal(calls, 0);
    assert.deepEqual(grid.cells, [[null]]);
    assert.equal(grid.cancelled, true);
  });
});

function sampleGrid(): MatrixGrid {
  return {
    sources: ['shop/frontend-1', 'tools/a|b'],
    targets: ['backend.shop:80', 'db.data:5432', '=HYPERLINK("x")'],
    cells: [
      [
        result('reachable', {
          httpStatus: 200,
          timings: { namelookupMs: 1, connectMs: 2, appconnectMs: 0, firstByteMs: 5, totalMs: 6.4 },
          tool: 'curl',
          command: "kubectl exec -n shop frontend-1 -- curl -sS 'http://x/a,b'",
        }),
        result('timeout', { message: 'No answer from db.data:5432 within 5 s: dropped.', tool: 'curl' }),
        result('http-error-status', { httpStatus: 503, expectedStatus: 200, tool: 'curl' }),
      ],
      [result('reachable', { tool: 'nc' }), result('no-tool', { message: 'Container has "none".' }), null],
    ],
    cancelled: true,
    completed: 5,
    total: 6,
    concurrency: 8,
    elapsedMs: 1534,
    startedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('exports', () => {
  test('cell texts', () => {
    const grid = sampleGrid();
    assert.equal(cellText(grid.cells[0]![0]!), 'reachable 200 (6 ms)');
    assert.equal(cellText(grid.cells[0]![2]!), 'HTTP 503, expected 200 (12 ms)');
    assert.equal(cellText(grid.cells[1]![0]!), 'reachable tcp (12 ms)');
    assert.equal(cellText(grid.cells[1]![1]!), 'no probing tool');
    assert.equal(cellText(null), 'not run');
  });

  test('Markdown: a table with escaped cells and a summary', () => {
    assert.equal(
      toMarkdown(sampleGrid()),
      [
        '| source / target | backend.shop:80 | db.data:5432 | =HYPERLINK("x") |',
        '| --- | --- | --- | --- |',
        '| shop/frontend-1 | reachable 200 (6 ms) | timed out | HTTP 503, expected 200 (12 ms) |',
        '| tools/a\\|b | reachable tcp (12 ms) | no probing tool | not run |',
        '',
        '2 of 6 reachable; 5 of 6 probed (cancelled) in 1.5 s, 8 at a time.',
        '',
      ].join('\n'),
    );
  });

  test('CSV, one line per cell: RFC 4180 quoting, formulas defused', () => {
    const lines = toCsv(sampleGrid()).split('\r\n');
    assert.equal(
      lines[0],
      'source,target,verdict,reachable,http_status,expected_status,tool,time_ms,message,command',
    );
    assert.equal(
      lines[1],
      `shop/frontend-1,backend.shop:80,reachable,true,200,,curl,6,reachable.,"kubectl exec -n shop frontend-1 -- curl -sS 'http://x/a,b'"`,
    );
    assert.equal(
      lines[2],
      'shop/frontend-1,db.data:5432,timeout,false,,,curl,12,No answer from db.data:5432 within 5 s: dropped.,',
    );
    assert.equal(
      lines[3],
      `shop/frontend-1,"'=HYPERLINK(""x"")",http-error-status,true,503,200,curl,12,http-error-status.,`,
    );
    assert.equal(lines[5], 'tools/a|b,db.data:5432,no-tool,false,,,,12,"Container has ""none"".",');
    assert.equal(lines[6], `tools/a|b,"'=HYPERLINK(""x"")",not-run,,,,,,,`);
    assert.equal(lines.length, 8);
    assert.equal(lines[7], '');
  });

  test('CSV as a grid', () => {
    assert.deepEqual(toCsv(sampleGrid(), { layout: 'grid' }).split('\r\n'), [
      `source,backend.shop:80,db.data:5432,"'=HYPERLINK(""x"")"`,
      'shop/frontend-1,reachable 200 (6 ms),timed out,"HTTP 503, expected 200 (12 ms)"',
      'tools/a|b,reachable tcp (12 ms),no probing tool,not run',
      '',
    ]);
  });
});
