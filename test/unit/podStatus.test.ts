/**
 * The pod printer and the durations kubectl prints. Expected values come from upstream's own tables:
 * k8s.io/apimachinery/pkg/util/duration/duration_test.go and
 * k8s.io/kubernetes/pkg/printers/internalversion/printers_test.go (TestPrintPod and friends).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { humanDuration, shortHumanDuration } from '../../src/analysis/duration.ts';
import type { Pod } from '../../src/analysis/k8s.ts';
import {
  podDisplayStatus,
  podHealth,
  podReadyCount,
  podRestarts,
  printPod,
} from '../../src/analysis/podStatus.ts';
import type { PodLike } from '../../src/analysis/podStatus.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

describe('humanDuration (HumanDuration)', () => {
  const cases: Array<[number, string]> = [
    [S, '1s'],
    [70 * S, '70s'],
    [190 * S, '3m10s'],
    [70 * M, '70m'],
    [47 * H, '47h'],
    [49 * H, '2d1h'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * D, '367d'],
    [(365 * 2 * 24 + 25) * H, '2y1d'],
    [(365 * 8 * 24 + 2) * H, '8y'],
    // TestHumanDurationBoundaries
    [-2 * S, '<invalid>'],
    [-2 * S + 0.000001, '0s'],
    [0, '0s'],
    [S - 1, '0s'],
    [2 * M - 1, '119s'],
    [2 * M, '2m'],
    [2 * M + S, '2m1s'],
    [10 * M - 1, '9m59s'],
    [10 * M, '10m'],
    [10 * M + S, '10m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + M, '3h1m'],
    [8 * H - 1, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [2 * D - 1, '47h'],
    [2 * D, '2d'],
    [2 * D + H, '2d1h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [2 * Y - 1, '729d'],
    [2 * Y, '2y'],
    [2 * Y + 23 * H + 59 * M, '2y'],
    [2 * Y + D - 1, '2y'],
    [2 * Y + D, '2y1d'],
    [3 * Y, '3y'],
    [7 * Y, '7y'],
    [8 * Y - 1, '7y364d'],
    [8 * Y, '8y'],
    [8 * Y + 364 * D, '8y'],
    [9 * Y, '9y'],
    // The examples of the AGE column.
    [45 * S, '45s'],
    [3 * M + 12 * S, '3m12s'],
    [5 * M, '5m'],
    // Below three hours upstream still counts minutes: 2h5m prints as 125m.
    [2 * H + 5 * M, '125m'],
    [3 * H + 5 * M, '3h5m'],
    [30 * H, '30h'],
    [3 * D + 4 * H, '3d4h'],
    [40 * D, '40d'],
    [2 * Y + 10 * D, '2y10d'],
    [10 * Y, '10y'],
  ];
  for (const [ms, expected] of cases) {
    test(`${ms} ms → ${expected}`, () => assert.equal(humanDuration(ms), expected));
  }
});

describe('shortHumanDuration (ShortHumanDuration)', () => {
  const cases: Array<[number, string]> = [
    [-2 * S, '<invalid>'],
    [-2 * S + 0.000001, '0s'],
    [0, '0s'],
    [S - 1, '0s'],
    [S, '1s'],
    [2 * S - 1, '1s'],
    [M - 1, '59s'],
    [M, '1m'],
    [2 * M - 1, '1m'],
    [H - 1, '59m'],
    [H, '1h'],
    [2 * H - 1, '1h'],
    [D - 1, '23h'],
    [D, '1d'],
    [2 * D - 1, '1d'],
    [Y - 1, '364d'],
    [Y, '1y'],
    [2 * Y - 1, '1y'],
    [2 * Y, '2y'],
  ];
  for (const [ms, expected] of cases) {
    test(`${ms} ms → ${expected}`, () => assert.equal(shortHumanDuration(ms), expected));
  }
});

/** A pod with `n` unnamed containers, as upstream's `make([]api.Container, n)`. */
function pod(
  containers: number,
  status: NonNullable<PodLike['status']>,
  extra: Partial<PodLike> = {},
): PodLike {
  return {
    metadata: { name: 'p' },
    spec: { containers: Array.from({ length: containers }, () => ({ name: '' })) },
    status,
    ...extra,
  };
}

function columns(p: PodLike): [string, string, string] {
  const row = printPod(p, NOW);
  return [row.ready, row.status, row.restarts];
}

describe('printPod: TestPrintPod', () => {
  test('name, containers, restarts and readiness', () => {
    const p = pod(2, {
      phase: 'podPhase',
      containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { restartCount: 3 }],
    });
    assert.deepEqual(columns(p), ['1/2', 'podPhase', '6']);
    assert.equal(printPod(p, NOW).age, '<unknown>');
  });

  test('a waiting container overrides the phase', () => {
    const p = pod(2, {
      phase: 'podPhase',
      containerStatuses: [
        { ready: true, restartCount: 3, state: { running: {} } },
        { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
      ],
    });
    assert.deepEqual(columns(p), ['1/2', 'ContainerWaitingReason', '6']);
  });

  test('the first container with a problem wins', () => {
    const p = pod(2, {
      phase: 'podPhase',
      containerStatuses: [
        { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
        { restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason' } } },
      ],
    });
    assert.deepEqual(columns(p), ['0/2', 'ContainerWaitingReason', '6']);
  });

  test('ready without running does not count', () => {
    const p = pod(2, {
      phase: 'podPhase',
      containerStatuses: [
        { ready: true, restartCount: 3, state: { running: {} } },
        { ready: true, restartCount: 3 },
      ],
    });
    assert.deepEqual(columns(p), ['1/2', 'podPhase', '6']);
  });

  test('status.reason replaces the phase', () => {
    const p = pod(2, {
      reason: 'podReason',
      phase: 'podPhase',
      containerStatuses: [
        { ready: true, restartCount: 3, state: { running: {} } },
        { ready: true, restartCount: 3 },
      ],
    });
    assert.deepEqual(columns(p), ['1/2', 'podReason', '6']);
  });

  const completedBesideRunning = {
    phase: 'Running',
    containerStatuses: [
      { ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
      { ready: true, restartCount: 3, state: { running: {} } },
    ],
  };

  test('Completed beside a running container, without Ready: NotReady', () => {
    assert.deepEqual(columns(pod(2, completedBesideRunning)), ['1/2', 'NotReady', '6']);
  });

  test('Completed beside a running container, with Ready: Running', () => {
    const p = pod(2, { ...completedBesideRunning, conditions: [{ type: 'Ready', status: 'True' }] });
    assert.deepEqual(columns(p), ['1/2', 'Running', '6']);
  });

  test('an init container restarting: Init:0/1 and its restarts', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: '' }], containers: [{ name: '' }] },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          {
            ready: false,
            restartCount: 3,
            state: { running: {} },
            lastState: { terminated: { finishedAt: ago(10 * S) } },
          },
        ],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
      },
    };
    assert.deepEqual(columns(p), ['0/1', 'Init:0/1', '3 (10s ago)']);
  });

  test('the first of two init containers restarting: Init:0/2', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: '' }, { name: '' }], containers: [{ name: '' }] },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { restartCount: 3, state: { running: {} }, lastState: { terminated: { finishedAt: ago(10 * S) } } },
          { state: { waiting: {} } },
        ],
        containerStatuses: [{ state: { waiting: {} } }],
      },
    };
    assert.deepEqual(columns(p), ['0/1', 'Init:0/2', '3 (10s ago)']);
  });

  test('finished init containers still count their restarts while initializing', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: '' }, { name: '' }], containers: [{ name: '' }] },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          {
            restartCount: 2,
            state: { terminated: {} },
            lastState: { terminated: { finishedAt: ago(2 * M) } },
          },
          { restartCount: 3, state: { running: {} }, lastState: { terminated: { finishedAt: ago(10 * S) } } },
        ],
        containerStatuses: [{ state: { waiting: {} } }],
      },
    };
    assert.deepEqual(columns(p), ['0/1', 'Init:1/2', '5 (10s ago)']);
  });

  test('once initialized, only the app containers count', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: '' }], containers: [{ name: '' }] },
      status: {
        phase: 'Running',
        initContainerStatuses: [
          {
            restartCount: 2,
            state: { terminated: {} },
            lastState: { terminated: { finishedAt: ago(2 * M) } },
          },
        ],
        containerStatuses: [
          { restartCount: 4, state: { running: {} }, lastState: { terminated: { finishedAt: ago(20 * S) } } },
        ],
      },
    };
    assert.deepEqual(columns(p), ['0/1', 'Running', '4 (20s ago)']);
  });

  test('the latest restart of several containers is the one shown', () => {
    const p = pod(2, {
      phase: 'Running',
      containerStatuses: [
        {
          ready: true,
          restartCount: 6,
          state: { running: {} },
          lastState: { terminated: { finishedAt: ago(5 * D) } },
        },
        {
          ready: true,
          restartCount: 3,
          state: { running: {} },
          lastState: { terminated: { finishedAt: ago(20 * D) } },
        },
      ],
    });
    assert.deepEqual(columns(p), ['2/2', 'Running', '9 (5d ago)']);
  });

  test('SchedulingGated', () => {
    const p = pod(2, {
      phase: 'podPhase',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    });
    assert.deepEqual(columns(p), ['0/2', 'SchedulingGated', '0']);
  });

  test('Succeeded and Failed pods show their container reason', () => {
    const succeeded = pod(1, {
      phase: 'Succeeded',
      containerStatuses: [{ restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
    });
    const failed = pod(1, {
      phase: 'Failed',
      containerStatuses: [{ restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } }],
    });
    assert.deepEqual(columns(succeeded), ['0/1', 'Completed', '0']);
    assert.deepEqual(columns(failed), ['0/1', 'Error', '0']);
  });

  test('deletion: Terminating unless the phase is terminal', () => {
    const deleting = { metadata: { name: 'p', deletionTimestamp: ago(10 * S) } };
    const succeeded = pod(
      1,
      {
        phase: 'Succeeded',
        containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
      },
      deleting,
    );
    const running = pod(1, { phase: 'Running', containerStatuses: [{ state: { running: {} } }] }, deleting);
    const pending = pod(1, { phase: 'Pending' }, deleting);
    assert.deepEqual(columns(succeeded), ['0/1', 'Completed', '0']);
    assert.deepEqual(columns(running), ['0/1', 'Terminating', '0']);
    assert.deepEqual(columns(pending), ['0/1', 'Terminating', '0']);
  });

  test('a deleted pod on a lost node is Unknown', () => {
    const p = pod(
      1,
      { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ ready: true, state: { running: {} } }] },
      { metadata: { name: 'p', deletionTimestamp: ago(S) } },
    );
    assert.equal(podDisplayStatus(p), 'Unknown');
  });

  test('init container failures', () => {
    const base = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'c' }] },
    };
    const initStatus = (state: NonNullable<PodLike['status']>['initContainerStatuses']): PodLike => ({
      ...base,
      status: { phase: 'Pending', initContainerStatuses: state },
    });
    assert.equal(
      podDisplayStatus(initStatus([{ name: 'i', state: { waiting: { reason: 'CrashLoopBackOff' } } }])),
      'Init:CrashLoopBackOff',
    );
    assert.equal(
      podDisplayStatus(initStatus([{ name: 'i', state: { terminated: { exitCode: 1, reason: 'Error' } } }])),
      'Init:Error',
    );
    assert.equal(
      podDisplayStatus(initStatus([{ name: 'i', state: { terminated: { exitCode: 2 } } }])),
      'Init:ExitCode:2',
    );
    assert.equal(
      podDisplayStatus(initStatus([{ name: 'i', state: { terminated: { exitCode: 137, signal: 9 } } }])),
      'Init:Signal:9',
    );
    // PodInitializing is the normal wait, so the position shows instead.
    assert.equal(
      podDisplayStatus(initStatus([{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }])),
      'Init:0/1',
    );
  });

  test('app containers terminated without a reason', () => {
    assert.equal(
      podDisplayStatus(
        pod(1, { phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }),
      ),
      'ExitCode:3',
    );
    assert.equal(
      podDisplayStatus(
        pod(1, {
          phase: 'Running',
          containerStatuses: [{ state: { terminated: { exitCode: 143, signal: 15 } } }],
        }),
      ),
      'Signal:15',
    );
  });

  test('Pending pods: ContainerCreating and plain Pending', () => {
    const creating = pod(1, {
      phase: 'Pending',
      containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    assert.deepEqual(columns(creating), ['0/1', 'ContainerCreating', '0']);
    assert.deepEqual(columns(pod(1, { phase: 'Pending' })), ['0/1', 'Pending', '0']);
  });
});

describe('printPod: restartable init containers (sidecars)', () => {
  const spec = {
    initContainers: [
      { name: 'restartable-init-1', restartPolicy: 'Always' },
      { name: 'restartable-init-2', restartPolicy: 'Always' },
    ],
    containers: [{ name: '' }],
  };

  test('first sidecar running but not started', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            restartCount: 3,
            state: { running: {} },
            started: false,
            lastState: { terminated: { finishedAt: ago(10 * S) } },
          },
          { name: 'restartable-init-2', state: { waiting: {} }, started: false },
        ],
        containerStatuses: [{ state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      },
    };
    assert.deepEqual(columns(p), ['0/3', 'Init:0/2', '3 (10s ago)']);
  });

  test('first sidecar started, second running but not started', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec,
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            restartCount: 3,
            state: { running: {} },
            started: true,
            lastState: { terminated: { finishedAt: ago(10 * S) } },
          },
          { name: 'restartable-init-2', state: { running: {} }, started: false },
        ],
        containerStatuses: [{ state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      },
    };
    assert.deepEqual(columns(p), ['0/3', 'Init:1/2', '3 (10s ago)']);
  });

  test('both sidecars started and the app running: sidecar restarts still count', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec,
      status: {
        phase: 'Running',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            restartCount: 3,
            state: { running: {} },
            started: true,
            lastState: { terminated: { finishedAt: ago(10 * S) } },
          },
          { name: 'restartable-init-2', state: { running: {} }, started: true },
        ],
        containerStatuses: [
          {
            ready: true,
            restartCount: 4,
            state: { running: {} },
            lastState: { terminated: { finishedAt: ago(20 * S) } },
          },
        ],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    };
    assert.deepEqual(columns(p), ['1/3', 'Running', '7 (10s ago)']);
  });

  test('sidecars terminated with errors after the app completed', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec,
      status: {
        phase: 'Succeeded',
        initContainerStatuses: [
          {
            name: 'restartable-init-1',
            restartCount: 3,
            state: { terminated: { reason: 'Error', exitCode: 137 } },
            started: false,
            lastState: { terminated: { finishedAt: ago(10 * S) } },
          },
          {
            name: 'restartable-init-2',
            state: { terminated: { reason: 'Error', exitCode: 137 } },
            started: false,
          },
        ],
        containerStatuses: [
          {
            restartCount: 4,
            state: { terminated: { reason: 'Completed', exitCode: 0 } },
            lastState: { terminated: { finishedAt: ago(20 * S) } },
          },
        ],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    };
    assert.deepEqual(columns(p), ['0/3', 'Completed', '7 (10s ago)']);
  });

  test('statuses for containers the spec does not have', () => {
    const p: PodLike = {
      metadata: { name: 'p' },
      spec: {
        initContainers: [{ name: 'init1' }, { name: 'sidecar1', restartPolicy: 'Always' }],
        containers: [{ name: 'container1' }],
      },
      status: {
        phase: 'Running',
        initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }],
        containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }],
      },
    };
    assert.deepEqual(columns(p), ['0/2', 'Init:0/2', '0']);
  });
});

describe('printPod: wide columns (TestPrintPodwide)', () => {
  const gates = {
    readinessGates: [{ conditionType: 'c1' }, { conditionType: 'c2' }, { conditionType: 'c3' }],
  };

  test('IP, node, nominated node and readiness gates', () => {
    const p: PodLike = {
      metadata: { name: 'test1' },
      spec: { containers: [{ name: '' }, { name: '' }], nodeName: 'test1', ...gates },
      status: {
        phase: 'podPhase',
        conditions: [
          { type: 'c1', status: 'False' },
          { type: 'c2', status: 'True' },
        ],
        podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }],
        containerStatuses: [{ ready: true, restartCount: 3, state: { running: {} } }, { restartCount: 3 }],
        nominatedNodeName: 'node1',
      },
    };
    const row = printPod(p, NOW);
    assert.deepEqual(
      [
        row.name,
        row.ready,
        row.status,
        row.restarts,
        row.age,
        row.ip,
        row.node,
        row.nominatedNode,
        row.readinessGates,
      ],
      ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3'],
    );
  });

  test('absent values print as <none>', () => {
    const row = printPod(pod(2, { phase: 'podPhase' }), NOW);
    assert.deepEqual(
      [row.ip, row.node, row.nominatedNode, row.readinessGates],
      ['<none>', '<none>', '<none>', '<none>'],
    );
  });

  test('AGE from creationTimestamp', () => {
    const row = printPod(
      { ...pod(1, { phase: 'Running' }), metadata: { name: 'p', creationTimestamp: ago(3 * D + 4 * H) } },
      NOW,
    );
    assert.equal(row.age, '3d4h');
  });
});

describe('column helpers', () => {
  const crashing = pod(2, {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [
      { ready: true, restartCount: 0, state: { running: {} } },
      {
        ready: false,
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M + 5 * S) } },
      },
    ],
  });

  test('podDisplayStatus, podReadyCount, podRestarts', () => {
    assert.equal(podDisplayStatus(crashing), 'CrashLoopBackOff');
    assert.equal(podReadyCount(crashing), '1/2');
    assert.equal(podRestarts(crashing, NOW), '3 (2m5s ago)');
    assert.equal(podRestarts(crashing, new Date(NOW + 3 * H)), '3 (3h2m ago)');
  });

  test('no restarts: a bare 0', () => {
    assert.equal(
      podRestarts(pod(1, { phase: 'Running', containerStatuses: [{ restartCount: 0 }] }), NOW),
      '0',
    );
  });

  test('restarts without a termination time: the count alone', () => {
    assert.equal(
      podRestarts(pod(1, { phase: 'Running', containerStatuses: [{ restartCount: 2 }] }), NOW),
      '2',
    );
  });

  test('accepts the Pod type of k8s.ts', () => {
    const typed: Pod = {
      metadata: { name: 'typed' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    assert.equal(podDisplayStatus(typed), 'Running');
    assert.deepEqual(podHealth(typed), { state: 'ready', reason: 'Running' });
  });
});

describe('podHealth', () => {
  const running = (ready: 'True' | 'False') =>
    pod(1, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: ready }],
      containerStatuses: [{ ready: ready === 'True', state: { running: {} } }],
    });

  test('ready and running-not-ready follow the Ready condition', () => {
    assert.deepEqual(podHealth(running('True')), { state: 'ready', reason: 'Running' });
    assert.deepEqual(podHealth(running('False')), { state: 'running-not-ready', reason: 'Running' });
  });

  test('without conditions, every container must be ready', () => {
    const p = pod(1, { phase: 'Running', containerStatuses: [{ ready: true, state: { running: {} } }] });
    assert.deepEqual(podHealth(p), { state: 'ready', reason: 'Running' });
  });

  test('NotReady is running-not-ready', () => {
    const p = pod(2, {
      phase: 'Running',
      containerStatuses: [
        { ready: true, state: { terminated: { reason: 'Completed', exitCode: 0 } } },
        { ready: true, state: { running: {} } },
      ],
    });
    assert.deepEqual(podHealth(p), { state: 'running-not-ready', reason: 'NotReady' });
  });

  test('pending while making progress', () => {
    assert.deepEqual(podHealth(pod(1, { phase: 'Pending' })), { state: 'pending', reason: 'Pending' });
    assert.deepEqual(
      podHealth(
        pod(1, {
          phase: 'Pending',
          containerStatuses: [{ state: { waiting: { reason: 'ContainerCreating' } } }],
        }),
      ),
      { state: 'pending', reason: 'ContainerCreating' },
    );
    const gated = pod(1, {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    });
    assert.deepEqual(podHealth(gated), { state: 'pending', reason: 'SchedulingGated' });
    const init: PodLike = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'c' }] },
      status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }] },
    };
    assert.deepEqual(podHealth(init), { state: 'pending', reason: 'Init:0/1' });
    assert.deepEqual(podHealth({ metadata: { name: 'new' } }), { state: 'pending', reason: 'Pending' });
  });

  test('waiting with the reason a container is stuck on', () => {
    const pull = pod(1, {
      phase: 'Pending',
      containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }],
    });
    assert.deepEqual(podHealth(pull), { state: 'waiting', reason: 'ImagePullBackOff' });
    const crash = pod(1, {
      phase: 'Running',
      containerStatuses: [{ restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    });
    assert.deepEqual(podHealth(crash), { state: 'waiting', reason: 'CrashLoopBackOff' });
    const initCrash: PodLike = {
      metadata: { name: 'p' },
      spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    };
    assert.deepEqual(podHealth(initCrash), { state: 'waiting', reason: 'Init:CrashLoopBackOff' });
  });

  test('succeeded, failed and terminating', () => {
    const done = pod(1, {
      phase: 'Succeeded',
      containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
    });
    assert.deepEqual(podHealth(done), { state: 'succeeded', reason: 'Completed' });
    assert.deepEqual(podHealth(pod(1, { phase: 'Failed', reason: 'Evicted' })), {
      state: 'failed',
      reason: 'Evicted',
    });
    const deleting = pod(1, { phase: 'Running' }, { metadata: { name: 'p', deletionTimestamp: ago(S) } });
    assert.deepEqual(podHealth(deleting), { state: 'terminating', reason: 'Terminating' });
  });
});
