/**
 * The explorer's words and icons. Expected strings are written out by hand: they are what a user
 * reads in the tree, so a change to any of them should be a deliberate edit here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import {
  containerPortPresentation,
  containerPresentation,
  contextPresentation,
  countEndpoints,
  effectiveTargetPort,
  endpointPresentation,
  endpointState,
  escapeMarkdown,
  formatAddress,
  formatContainerPort,
  formatPort,
  formatServicePort,
  formatTimestamp,
  markdownCode,
  namespacePresentation,
  podIcon,
  podPresentation,
  servicePortPresentation,
  servicePresentation,
  serviceTrafficSentences,
  serviceWarnings,
} from '../../../src/explorer/format.ts';
import {
  ingressPresentation,
  ingressRoutePresentation,
  ingressRoutes,
} from '../../../src/explorer/ingressFormat.ts';
import { countPodsPerNode, nodePresentation } from '../../../src/explorer/nodeFormat.ts';
import type {
  EndpointInput,
  EndpointSliceInput,
  IconChoice,
  PodInput,
  ServiceInput,
} from '../../../src/explorer/format.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');

// ---------------------------------------------------------------------------------------------
// Fixtures

const readyPod: PodInput = {
  metadata: {
    name: 'web-7d9f-abcde',
    namespace: 'shop',
    labels: { tier: 'front_end', app: 'web' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9f', controller: true }],
    creationTimestamp: '2025-03-01T09:00:00Z',
  },
  spec: {
    nodeName: 'node-1',
    containers: [
      {
        name: 'app',
        image: 'nginx:1.27',
        ports: [
          { name: 'http', containerPort: 8080 },
          { containerPort: 9090, protocol: 'TCP' },
        ],
      },
    ],
  },
  status: {
    phase: 'Running',
    podIP: '10.1.2.3',
    podIPs: [{ ip: '10.1.2.3' }],
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [
      {
        name: 'app',
        image: 'nginx:1.27',
        ready: true,
        started: true,
        restartCount: 3,
        state: { running: { startedAt: '2025-03-01T11:00:00Z' } },
        lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2025-03-01T11:58:00Z' } },
      },
    ],
  },
};

/** A ready Pod that never restarted. */
function freshPod(name: string, overrides: { labels?: Record<string, string>; ip?: string } = {}): PodInput {
  return {
    metadata: {
      name,
      namespace: 'shop',
      labels: overrides.labels ?? { app: 'web' },
      creationTimestamp: '2025-03-01T11:00:00Z',
    },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: 'Running',
      podIP: overrides.ip ?? '10.1.2.9',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          restartCount: 0,
          state: { running: { startedAt: '2025-03-01T11:00:05Z' } },
        },
      ],
    },
  };
}

const crashingPod: PodInput = {
  metadata: { name: 'api-5c4b-xyz12', namespace: 'shop', labels: { app: 'api' } },
  spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'api:v2' }] },
  status: {
    phase: 'Running',
    podIP: '10.1.2.4',
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'ContainersNotReady',
        message: 'containers with unready status: [app]',
      },
    ],
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 5,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: 'back-off 2m40s restarting failed container=app pod=api_shop(1234)',
          },
        },
        lastState: {
          terminated: {
            exitCode: 1,
            reason: 'Error',
            finishedAt: '2025-03-01T11:58:00Z',
            message: 'panic: *nil* map\nat main.go:12',
          },
        },
      },
    ],
  },
};

const notReadyPod: PodInput = {
  metadata: { name: 'web-slow', namespace: 'shop' },
  spec: { nodeName: 'node-1', containers: [{ name: 'app' }] },
  status: {
    phase: 'Running',
    podIP: '10.1.2.5',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 0,
        state: { running: { startedAt: '2025-03-01T11:59:00Z' } },
      },
    ],
  },
};

const unscheduledPod: PodInput = {
  metadata: { name: 'big-job' },
  spec: { containers: [{ name: 'work' }] },
  status: {
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }],
  },
};

const creatingPod: PodInput = {
  metadata: { name: 'web-new' },
  spec: { nodeName: 'node-1', containers: [{ name: 'app' }] },
  status: {
    phase: 'Pending',
    containerStatuses: [
      { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } },
    ],
  },
};

const pullBackOffPod: PodInput = {
  metadata: { name: 'web-typo' },
  spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'ngnix:1.27' }] },
  status: {
    phase: 'Pending',
    podIP: '10.1.2.7',
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "ngnix:1.27"' } },
      },
    ],
  },
};

const completedPod: PodInput = {
  metadata: { name: 'migrate-abc' },
  spec: { nodeName: 'node-1', containers: [{ name: 'migrate' }] },
  status: {
    phase: 'Succeeded',
    podIP: '10.1.2.6',
    containerStatuses: [
      {
        name: 'migrate',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2025-03-01T11:30:00Z' } },
      },
    ],
  },
};

const evictedPod: PodInput = {
  metadata: { name: 'web-evicted' },
  spec: { nodeName: 'node-1', containers: [{ name: 'app' }] },
  status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
};

const terminatingPod: PodInput = {
  ...freshPod('web-old', { ip: '10.1.2.8' }),
  metadata: { name: 'web-old', deletionTimestamp: '2025-03-01T11:59:30Z' },
};

const initPod: PodInput = {
  metadata: { name: 'with-init' },
  spec: {
    nodeName: 'node-1',
    initContainers: [
      { name: 'wait-db', image: 'busybox' },
      {
        name: 'mesh',
        image: 'envoy:1.30',
        restartPolicy: 'Always',
        ports: [{ name: 'admin', containerPort: 15000 }],
      },
    ],
    containers: [{ name: 'app', image: 'app:1' }],
  },
  status: {
    phase: 'Pending',
    initContainerStatuses: [
      {
        name: 'wait-db',
        ready: false,
        restartCount: 0,
        state: { running: { startedAt: '2025-03-01T11:59:00Z' } },
      },
      { name: 'mesh', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
    ],
    containerStatuses: [
      { name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
    ],
  },
};

const initDonePod: PodInput = {
  metadata: { name: 'init-done' },
  spec: {
    nodeName: 'node-1',
    initContainers: [{ name: 'wait-db', image: 'busybox' }],
    containers: [{ name: 'app', image: 'app:1' }],
  },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [
      {
        name: 'wait-db',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed' } },
      },
    ],
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 2,
        state: { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2025-03-01T11:59:50Z' } },
      },
    ],
  },
};

const initCrashPod: PodInput = {
  metadata: { name: 'init-crash' },
  spec: { nodeName: 'node-1', initContainers: [{ name: 'setup' }], containers: [{ name: 'app' }] },
  status: {
    phase: 'Pending',
    initContainerStatuses: [
      { name: 'setup', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ],
  },
};

// ---------------------------------------------------------------------------------------------
// Markdown and small formatters

describe('escapeMarkdown', () => {
  test('backslash-escapes the characters that open inline Markdown', () => {
    assert.equal(
      escapeMarkdown('a*b_c [x](y) <b> & | ~ $(zap) `code` \\'),
      'a\\*b\\_c \\[x\\](y) \\<b\\> \\& \\| \\~ \\$(zap) \\`code\\` \\\\',
    );
  });

  test('leaves ordinary punctuation alone', () => {
    assert.equal(
      escapeMarkdown('Back-off 5m0s: pod=web.1 (uid), 50%!'),
      'Back-off 5m0s: pod=web.1 (uid), 50%!',
    );
  });

  test('escapes what would open a block at the start', () => {
    assert.equal(escapeMarkdown('# not a heading'), '\\# not a heading');
    assert.equal(escapeMarkdown('- not a list'), '\\- not a list');
    assert.equal(escapeMarkdown('+ not a list'), '\\+ not a list');
    assert.equal(escapeMarkdown('= not a heading'), '\\= not a heading');
    assert.equal(escapeMarkdown('1. not a list'), '1\\. not a list');
    assert.equal(escapeMarkdown('12) not a list'), '12\\) not a list');
  });

  test('turns line breaks into spaces, so user data cannot start a block', () => {
    // Once inline, `#` opens nothing and stays as is.
    assert.equal(escapeMarkdown('first line\n\n# second\r\nthird'), 'first line # second third');
    assert.equal(escapeMarkdown('ok\n- [x] done'), 'ok - \\[x\\] done');
  });
});

describe('markdownCode', () => {
  test('wraps text in a code span', () => {
    assert.equal(markdownCode('app=web_1'), '`app=web_1`');
    assert.equal(markdownCode('*_[x]<b>'), '`*_[x]<b>`');
  });

  test('picks a fence longer than any backtick run inside', () => {
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('a``b`c'), '```a``b`c```');
  });

  test('pads text that starts or ends with a backtick or with a space on both ends', () => {
    assert.equal(markdownCode('`a'), '`` `a ``');
    assert.equal(markdownCode('a`'), '`` a` ``');
    assert.equal(markdownCode(' a '), '`  a  `');
  });

  test('gives nothing for empty text and flattens line breaks', () => {
    assert.equal(markdownCode(''), '');
    assert.equal(markdownCode('a\nb'), '`a b`');
  });
});

describe('port and address formatting', () => {
  test('formatPort defaults the protocol to TCP', () => {
    assert.equal(formatPort(8080), '8080/TCP');
    assert.equal(formatPort(53, 'UDP'), '53/UDP');
    assert.equal(formatPort('http', 'TCP'), 'http/TCP');
  });

  test('formatContainerPort names the port when it has a name', () => {
    assert.equal(formatContainerPort({ name: 'http', containerPort: 8080 }), '8080/TCP (http)');
    assert.equal(formatContainerPort({ containerPort: 9090, protocol: 'TCP' }), '9090/TCP');
    assert.equal(formatContainerPort({ name: 'dns', containerPort: 53, protocol: 'UDP' }), '53/UDP (dns)');
  });

  test('effectiveTargetPort applies the API defaults', () => {
    assert.equal(effectiveTargetPort({ port: 80 }), 80);
    assert.equal(effectiveTargetPort({ port: 80, targetPort: 0 }), 80);
    assert.equal(effectiveTargetPort({ port: 80, targetPort: '' }), 80);
    assert.equal(effectiveTargetPort({ port: 80, targetPort: 8080 }), 8080);
    assert.equal(effectiveTargetPort({ port: 80, targetPort: 'http' }), 'http');
  });

  test('formatServicePort shows the target only when it differs, and the node port after a colon', () => {
    const cases: Array<[Parameters<typeof formatServicePort>[0], string]> = [
      [{ port: 80 }, '80/TCP'],
      [{ port: 80, targetPort: 80 }, '80/TCP'],
      [{ port: 80, targetPort: 'http' }, '80→http/TCP'],
      [{ port: 443, targetPort: 8443 }, '443→8443/TCP'],
      [{ port: 53, targetPort: 'dns', protocol: 'UDP' }, '53→dns/UDP'],
      [{ port: 80, targetPort: 8080, nodePort: 30080 }, '80:30080→8080/TCP'],
      [{ port: 80, nodePort: 30080 }, '80:30080/TCP'],
      [{ port: 3868, protocol: 'SCTP' }, '3868/SCTP'],
    ];
    for (const [port, expected] of cases) {
      assert.equal(formatServicePort(port), expected);
    }
  });

  test('formatAddress brackets IPv6 addresses', () => {
    assert.equal(formatAddress('10.1.2.3', 8080), '10.1.2.3:8080');
    assert.equal(formatAddress('fd00::3', 8080), '[fd00::3]:8080');
    assert.equal(formatAddress('10.1.2.3'), '10.1.2.3');
  });

  test('formatTimestamp reads Dates and strings alike and says how long ago', () => {
    assert.equal(formatTimestamp('2025-03-01T11:58:00Z', NOW), '2025-03-01T11:58:00Z (2m ago)');
    assert.equal(
      formatTimestamp(new Date('2025-03-01T11:58:00Z'), new Date(NOW)),
      '2025-03-01T11:58:00Z (2m ago)',
    );
    assert.equal(formatTimestamp('2025-03-01T11:59:59.250Z', NOW), '2025-03-01T11:59:59.250Z (0s ago)');
    assert.equal(formatTimestamp(undefined, NOW), undefined);
    assert.equal(formatTimestamp(null, NOW), undefined);
    assert.equal(formatTimestamp('yesterday', NOW), undefined);
    assert.equal(formatTimestamp(new Date(Number.NaN), NOW), undefined);
  });
});

// ---------------------------------------------------------------------------------------------
// Pods

describe('podPresentation: icon, contextValue and description by health', () => {
  const cases: Array<[string, PodInput, IconChoice, string, string]> = [
    [
      'running and ready',
      readyPod,
      { id: 'pass-filled', color: 'testing.iconPassed' },
      'pod.ready',
      '1/1 · 3 restarts (2m ago) · 10.1.2.3 · node-1',
    ],
    [
      'running, not ready',
      notReadyPod,
      { id: 'warning', color: 'list.warningForeground' },
      'pod.notReady',
      'Running · 0/1 · 10.1.2.5 · node-1',
    ],
    ['unscheduled', unscheduledPod, { id: 'clock', color: 'charts.blue' }, 'pod.pending', 'Pending · 0/1'],
    [
      'creating containers',
      creatingPod,
      { id: 'clock', color: 'charts.blue' },
      'pod.pending',
      'ContainerCreating · 0/1 · node-1',
    ],
    [
      'initializing',
      initPod,
      { id: 'clock', color: 'charts.blue' },
      'pod.pending',
      'Init:0/2 · 0/2 · node-1',
    ],
    [
      'succeeded',
      completedPod,
      { id: 'check', color: 'disabledForeground' },
      'pod.succeeded',
      'Completed · 0/1 · 10.1.2.6 · node-1',
    ],
    [
      'failed',
      evictedPod,
      { id: 'error', color: 'list.errorForeground' },
      'pod.failed',
      'Evicted · 0/1 · node-1',
    ],
    [
      'CrashLoopBackOff',
      crashingPod,
      { id: 'debug-restart', color: 'list.errorForeground' },
      'pod.waiting',
      'CrashLoopBackOff · 0/1 · 5 restarts (2m ago) · 10.1.2.4 · node-2',
    ],
    [
      'Init:CrashLoopBackOff',
      initCrashPod,
      { id: 'debug-restart', color: 'list.errorForeground' },
      'pod.waiting',
      'Init:CrashLoopBackOff · 0/1 · 4 restarts · node-1',
    ],
    [
      'another waiting reason',
      pullBackOffPod,
      { id: 'flame', color: 'list.errorForeground' },
      'pod.waiting',
      'ImagePullBackOff · 0/1 · 10.1.2.7 · node-1',
    ],
    [
      'a container that exited, waiting to restart',
      initDonePod,
      { id: 'flame', color: 'list.errorForeground' },
      'pod.waiting',
      'Error · 0/1 · 2 restarts · node-1',
    ],
    [
      'terminating',
      terminatingPod,
      { id: 'trash', color: 'disabledForeground' },
      'pod.terminating',
      'Terminating · 1/1 · 10.1.2.8 · node-1',
    ],
  ];
  for (const [name, pod, icon, contextValue, description] of cases) {
    test(name, () => {
      const presentation = podPresentation(pod, NOW);
      assert.deepEqual(presentation.icon, icon);
      assert.equal(presentation.contextValue, contextValue);
      assert.equal(presentation.description, description);
      assert.equal(presentation.label, pod.metadata?.name);
    });
  }
});

describe('podPresentation: description parts', () => {
  test('a ready Pod without restarts shows READY, IP and node only', () => {
    assert.equal(podPresentation(freshPod('web-1'), NOW).description, '1/1 · 10.1.2.9 · node-1');
  });

  test('one restart is singular; restarts without a termination time have no "ago"', () => {
    const pod: PodInput = {
      ...freshPod('web-1'),
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 1, state: { running: {} } }],
      },
    };
    assert.equal(podPresentation(pod, NOW).description, '1/1 · 1 restart · node-1');
  });

  test('a Pod without IP or node leaves them out', () => {
    const pod: PodInput = { metadata: { name: 'bare' }, spec: { containers: [{ name: 'app' }] } };
    assert.equal(podPresentation(pod, NOW).description, 'Pending · 0/1');
  });

  test('the clock may be a Date', () => {
    assert.equal(
      podPresentation(readyPod, new Date(NOW)).description,
      '1/1 · 3 restarts (2m ago) · 10.1.2.3 · node-1',
    );
  });
});

describe('podPresentation: tooltip', () => {
  test('a ready Pod, in full', () => {
    assert.equal(
      podPresentation(readyPod, NOW).tooltip,
      [
        '**Pod** `web-7d9f-abcde` in namespace `shop`',
        '**Status:** Running · 1/1 ready · 3 restarts (2m ago)',
        '**IP:** `10.1.2.3` · **Node:** `node-1` · **Age:** 3h',
        '**Owner:** ReplicaSet `web-7d9f`',
        '**Labels:** `app=web` `tier=front_end`',
        '**Containers**',
        '- `app` · `nginx:1.27` · running · ready · 3 restarts (2m ago)\n' +
          '  - Ports: 8080/TCP (http), 9090/TCP\n' +
          '  - Last terminated: OOMKilled, exit code 137, finished 2025-03-01T11:58:00Z (2m ago)',
        '**Conditions**',
        '- Initialized=True\n- Ready=True\n- ContainersReady=True\n- PodScheduled=True',
      ].join('\n\n'),
    );
  });

  test('a crashing Pod, with its messages escaped', () => {
    assert.equal(
      podPresentation(crashingPod, NOW).tooltip,
      [
        '**Pod** `api-5c4b-xyz12` in namespace `shop`',
        '**Status:** CrashLoopBackOff · 0/1 ready · 5 restarts (2m ago)',
        '**IP:** `10.1.2.4` · **Node:** `node-2`',
        '**Labels:** `app=api`',
        '**Containers**',
        '- `app` · `api:v2` · CrashLoopBackOff · 5 restarts (2m ago)\n' +
          '  - back-off 2m40s restarting failed container=app pod=api\\_shop(1234)\n' +
          '  - Last terminated: Error, exit code 1, finished 2025-03-01T11:58:00Z (2m ago): ' +
          'panic: \\*nil\\* map at main.go:12',
        '**Conditions**',
        '- Ready=False (ContainersNotReady: containers with unready status: \\[app\\])',
      ].join('\n\n'),
    );
  });

  test('a failed Pod shows its message and no labels', () => {
    assert.equal(
      podPresentation(evictedPod, NOW).tooltip,
      [
        '**Pod** `web-evicted`',
        '**Status:** Evicted · 0/1 ready',
        '**Message:** The node was low on resource: memory.',
        '**Node:** `node-1`',
        '**Labels:** none',
        '**Containers**',
        '- `app` · no status',
      ].join('\n\n'),
    );
  });

  test('init containers and sidecars are listed before the app containers', () => {
    const tooltip = podPresentation(initPod, NOW).tooltip;
    assert.ok(
      tooltip.includes(
        '**Init containers**\n\n' +
          '- `wait-db` · init · `busybox` · running · not ready\n' +
          '- `mesh` · sidecar · `envoy:1.30` · PodInitializing\n' +
          '  - Ports: 15000/TCP (admin)\n\n' +
          '**Containers**\n\n' +
          '- `app` · `app:1` · PodInitializing',
      ),
      tooltip,
    );
  });

  test('user data cannot inject Markdown', () => {
    const pod: PodInput = {
      metadata: {
        name: 'evil',
        labels: { 'example.com/x': 'a_b', note: 'has`tick' },
        ownerReferences: [{ kind: 'Kind_With*Stars', name: 'owner' }],
      },
      spec: { containers: [{ name: 'app', image: 'img' }] },
      status: {
        phase: 'Failed',
        reason: 'Bad',
        message: '# Heading\n[click](command:evil) <img src=x> **bold**',
        conditions: [{ type: 'example.com/gate_1', status: 'False', reason: 'Not_Yet' }],
      },
    };
    assert.equal(
      podPresentation(pod, NOW).tooltip,
      [
        '**Pod** `evil`',
        '**Status:** Bad · 0/1 ready',
        '**Message:** \\# Heading \\[click\\](command:evil) \\<img src=x\\> \\*\\*bold\\*\\*',
        '**Owner:** Kind\\_With\\*Stars `owner`',
        '**Labels:** `example.com/x=a_b` ``note=has`tick``',
        '**Containers**',
        '- `app` · `img` · no status',
        '**Conditions**',
        '- example.com/gate\\_1=False (Not\\_Yet)',
      ].join('\n\n'),
    );
  });

  test('credentials a process printed into a message are redacted before they are shown', () => {
    const pod: PodInput = {
      metadata: { name: 'x' },
      status: {
        phase: 'Failed',
        message: 'request failed: {"authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0"}',
      },
    };
    const message = podPresentation(pod, NOW).tooltip.split('\n\n')[2]!;
    assert.doesNotMatch(message, /eyJhbGciOiJIUzI1NiJ9/);
    assert.match(message, /redacted/);
  });

  test('long messages are cut', () => {
    const pod: PodInput = { metadata: { name: 'x' }, status: { phase: 'Failed', message: 'y'.repeat(1000) } };
    const message = podPresentation(pod, NOW).tooltip.split('\n\n')[2]!;
    assert.equal(message, `**Message:** ${'y'.repeat(299)}…`);
  });
});

describe('podPresentation: client-node objects', () => {
  test('a V1Pod with Date timestamps reads like the plain JSON it came from', () => {
    const json = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web-7d9f-abcde',
        namespace: 'shop',
        labels: { app: 'web' },
        creationTimestamp: '2025-03-01T09:00:00Z',
      },
      spec: {
        nodeName: 'node-1',
        containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }],
      },
      status: {
        phase: 'Running',
        podIP: '10.1.2.3',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          {
            name: 'app',
            image: 'nginx:1.27',
            imageID: '',
            ready: true,
            restartCount: 3,
            state: { running: { startedAt: '2025-03-01T11:00:00Z' } },
            lastState: {
              terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2025-03-01T11:58:00Z' },
            },
          },
        ],
      },
    };
    const pod = ObjectSerializer.deserialize(structuredClone(json), 'V1Pod', '') as V1Pod;
    assert.ok(pod.metadata?.creationTimestamp instanceof Date);
    const fromModel = podPresentation(pod, NOW);
    assert.deepEqual(fromModel, podPresentation(json, NOW));
    assert.equal(fromModel.description, '1/1 · 3 restarts (2m ago) · 10.1.2.3 · node-1');
    assert.ok(fromModel.tooltip.includes('**Age:** 3h'));
    assert.ok(fromModel.tooltip.includes('finished 2025-03-01T11:58:00Z (2m ago)'));

    const deleting = ObjectSerializer.deserialize(
      { ...structuredClone(json), metadata: { ...json.metadata, deletionTimestamp: '2025-03-01T11:59:00Z' } },
      'V1Pod',
      '',
    ) as V1Pod;
    assert.equal(podPresentation(deleting, NOW).contextValue, 'pod.terminating');
  });
});

describe('podIcon', () => {
  test('tells CrashLoopBackOff from other waiting reasons', () => {
    assert.deepEqual(podIcon({ state: 'waiting', reason: 'CrashLoopBackOff' }), {
      id: 'debug-restart',
      color: 'list.errorForeground',
    });
    assert.deepEqual(podIcon({ state: 'waiting', reason: 'CreateContainerConfigError' }), {
      id: 'flame',
      color: 'list.errorForeground',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Containers

describe('containerPresentation', () => {
  test('a running, ready container that restarted, in full', () => {
    assert.deepEqual(containerPresentation(readyPod, 'app', NOW), {
      label: 'app',
      description: 'running · ready · 3 restarts (2m ago) · nginx:1.27',
      tooltip: [
        '**Container** `app` of Pod `web-7d9f-abcde`',
        '**Image:** `nginx:1.27`',
        '**State:** running · ready · started 2025-03-01T11:00:00Z (60m ago) · 3 restarts (2m ago)',
        '**Last terminated:** OOMKilled, exit code 137, finished 2025-03-01T11:58:00Z (2m ago)',
        '**Ports:** 8080/TCP (http), 9090/TCP',
      ].join('\n\n'),
      icon: { id: 'pass-filled', color: 'testing.iconPassed' },
      contextValue: 'container.running',
    });
  });

  test('a crash-looping container', () => {
    const presentation = containerPresentation(crashingPod, 'app', NOW);
    assert.equal(presentation.description, 'CrashLoopBackOff · 5 restarts (2m ago) · api:v2');
    assert.deepEqual(presentation.icon, { id: 'debug-restart', color: 'list.errorForeground' });
    assert.equal(presentation.contextValue, 'container.waiting');
    assert.equal(
      presentation.tooltip,
      [
        '**Container** `app` of Pod `api-5c4b-xyz12`',
        '**Image:** `api:v2`',
        '**State:** CrashLoopBackOff · 5 restarts (2m ago)',
        '**Message:** back-off 2m40s restarting failed container=app pod=api\\_shop(1234)',
        '**Last terminated:** Error, exit code 1, finished 2025-03-01T11:58:00Z (2m ago): ' +
          'panic: \\*nil\\* map at main.go:12',
        '**Ports:** none declared',
      ].join('\n\n'),
    );
  });

  test('running but not ready', () => {
    const presentation = containerPresentation(notReadyPod, 'app', NOW);
    assert.equal(presentation.description, 'running · not ready');
    assert.deepEqual(presentation.icon, { id: 'warning', color: 'list.warningForeground' });
  });

  test('waiting to be created, and waiting for an image', () => {
    const creating = containerPresentation(creatingPod, 'app', NOW);
    assert.equal(creating.description, 'ContainerCreating');
    assert.deepEqual(creating.icon, { id: 'clock', color: 'charts.blue' });
    const pulling = containerPresentation(pullBackOffPod, 'app', NOW);
    assert.equal(pulling.description, 'ImagePullBackOff · ngnix:1.27');
    assert.deepEqual(pulling.icon, { id: 'flame', color: 'list.errorForeground' });
    assert.ok(pulling.tooltip.includes('**Message:** Back-off pulling image "ngnix:1.27"'));
  });

  test('terminated with success and with an error', () => {
    const done = containerPresentation(completedPod, 'migrate', NOW);
    assert.equal(done.description, 'Completed (exit code 0)');
    assert.deepEqual(done.icon, { id: 'check', color: 'disabledForeground' });
    assert.equal(done.contextValue, 'container.terminated');
    assert.ok(done.tooltip.includes('**Finished:** 2025-03-01T11:30:00Z (30m ago)'));
    const failed = containerPresentation(initDonePod, 'app', NOW);
    assert.equal(failed.description, 'Error (exit code 1) · 2 restarts · app:1');
    assert.deepEqual(failed.icon, { id: 'error', color: 'list.errorForeground' });
  });

  test('init containers and sidecars say so', () => {
    const init = containerPresentation(initDonePod, 'wait-db', NOW);
    assert.equal(init.description, 'init · Completed (exit code 0) · busybox');
    assert.ok(init.tooltip.startsWith('**Init container** `wait-db` of Pod `init-done`'));
    const sidecar = containerPresentation(initPod, 'mesh', NOW);
    assert.equal(sidecar.description, 'sidecar · PodInitializing · envoy:1.30');
    assert.deepEqual(sidecar.icon, { id: 'clock', color: 'charts.blue' });
    assert.ok(sidecar.tooltip.startsWith('**Sidecar container** `mesh` of Pod `with-init`'));
    assert.ok(sidecar.tooltip.endsWith('**Ports:** 15000/TCP (admin)'));
  });

  test('a container without status', () => {
    const presentation = containerPresentation(evictedPod, 'app', NOW);
    assert.equal(presentation.description, 'no status');
    assert.deepEqual(presentation.icon, { id: 'circle-large-outline', color: 'disabledForeground' });
    assert.equal(presentation.contextValue, 'container.unknown');
  });

  test('a signal makes even exit code 0 an error', () => {
    const pod: PodInput = {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c' }] },
      status: { containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 0, signal: 9 } } }] },
    };
    const presentation = containerPresentation(pod, 'c', NOW);
    assert.equal(presentation.description, 'terminated (exit code 0, signal 9)');
    assert.deepEqual(presentation.icon, { id: 'error', color: 'list.errorForeground' });
  });
});

describe('containerPortPresentation', () => {
  test('label the port and protocol, description the name', () => {
    assert.deepEqual(containerPortPresentation({ name: 'http', containerPort: 8080 }), {
      label: '8080/TCP',
      description: 'http',
      tooltip: '**Container port** 8080/TCP\n\n**Name:** `http`',
      icon: { id: 'plug' },
      contextValue: 'containerPort',
    });
  });

  test('unnamed, UDP and host ports', () => {
    assert.equal(containerPortPresentation({ containerPort: 9090 }).description, '');
    assert.equal(
      containerPortPresentation({ name: 'dns', containerPort: 53, protocol: 'UDP' }).label,
      '53/UDP',
    );
    const host = containerPortPresentation({
      name: 'http',
      containerPort: 8080,
      hostPort: 80,
      hostIP: '0.0.0.0',
    });
    assert.equal(host.description, 'http · host port 80');
    assert.ok(host.tooltip.endsWith('**Host port:** `0.0.0.0` 80'));
  });
});

// ---------------------------------------------------------------------------------------------
// Endpoints

const readyEndpoint: EndpointInput = {
  addresses: ['10.1.2.3'],
  conditions: { ready: true, serving: true, terminating: false },
  nodeName: 'node-1',
  targetRef: { kind: 'Pod', name: 'web-1', namespace: 'shop' },
};

describe('endpointState', () => {
  test('terminating wins; an absent ready means ready', () => {
    assert.equal(endpointState({ addresses: ['1.1.1.1'] }), 'ready');
    assert.equal(endpointState({ addresses: ['1.1.1.1'], conditions: {} }), 'ready');
    assert.equal(endpointState({ addresses: ['1.1.1.1'], conditions: { ready: false } }), 'notReady');
    assert.equal(
      endpointState({
        addresses: ['1.1.1.1'],
        conditions: { ready: false, serving: true, terminating: true },
      }),
      'terminating',
    );
  });
});

describe('endpointPresentation', () => {
  test('a ready endpoint of a Pod, in full', () => {
    assert.deepEqual(endpointPresentation(readyEndpoint, [{ name: 'http', port: 8080, protocol: 'TCP' }]), {
      label: 'web-1',
      description: '10.1.2.3:8080 · ready',
      tooltip: [
        '**Endpoint** `10.1.2.3`',
        '**Pod:** `shop/web-1`',
        '**State:** ready',
        '**Conditions:** ready=true, serving=true, terminating=false',
        '**Ports:** 8080/TCP (http)',
        '**Node:** `node-1`',
      ].join('\n\n'),
      icon: { id: 'circle-filled', color: 'testing.iconPassed' },
      contextValue: 'endpoint',
    });
  });

  test('not ready', () => {
    const presentation = endpointPresentation(
      { ...readyEndpoint, conditions: { ready: false, serving: false, terminating: false } },
      [{ port: 8080 }],
    );
    assert.equal(presentation.description, '10.1.2.3:8080 · not ready');
    assert.deepEqual(presentation.icon, { id: 'circle-large-outline', color: 'list.warningForeground' });
  });

  test('terminating, serving or not', () => {
    const serving = endpointPresentation(
      { ...readyEndpoint, conditions: { ready: false, serving: true, terminating: true } },
      [{ port: 8080 }],
    );
    assert.equal(serving.description, '10.1.2.3:8080 · terminating (serving)');
    assert.deepEqual(serving.icon, { id: 'trash', color: 'disabledForeground' });
    const gone = endpointPresentation(
      { ...readyEndpoint, conditions: { ready: false, serving: false, terminating: true } },
      [{ port: 8080 }],
    );
    assert.equal(gone.description, '10.1.2.3:8080 · terminating');
  });

  test('without targetRef the address is the label; without conditions it is ready', () => {
    const presentation = endpointPresentation({ addresses: ['192.0.2.10'] }, [{ port: 5432 }]);
    assert.equal(presentation.label, '192.0.2.10');
    assert.equal(presentation.description, '192.0.2.10:5432 · ready');
    assert.ok(presentation.tooltip.includes('**Conditions:** ready=unset, serving=unset, terminating=unset'));
  });

  test('IPv6, several ports, no ports', () => {
    assert.equal(
      endpointPresentation({ addresses: ['fd00::3'] }, [{ port: 8080 }]).description,
      '[fd00::3]:8080 · ready',
    );
    const ports = [
      { name: 'http', port: 8080 },
      { name: 'metrics', port: 9090 },
    ];
    assert.equal(endpointPresentation(readyEndpoint, ports).description, '10.1.2.3:8080,9090 · ready');
    assert.equal(endpointPresentation(readyEndpoint, null).description, '10.1.2.3 · ready');
    assert.equal(endpointPresentation(readyEndpoint, []).description, '10.1.2.3 · ready');
  });

  test('a Service port picks the slice port of the same name and protocol', () => {
    const ports = [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
      { name: 'dns', port: 5353, protocol: 'UDP' },
    ];
    const metrics = { name: 'metrics', port: 9090, targetPort: 'metrics' };
    assert.equal(endpointPresentation(readyEndpoint, ports, metrics).description, '10.1.2.3:9090 · ready');
    assert.equal(
      endpointPresentation(readyEndpoint, ports, {
        name: 'dns',
        port: 53,
        protocol: 'UDP',
        targetPort: 'dns',
      }).description,
      '10.1.2.3:5353 · ready',
    );
    assert.equal(
      endpointPresentation(readyEndpoint, ports, { name: 'dns', port: 53, targetPort: 'dns' }).description,
      '10.1.2.3 · ready',
    );
    // An unnamed single-port Service has an unnamed slice port.
    assert.equal(
      endpointPresentation(readyEndpoint, [{ port: 8080 }], { port: 80, targetPort: 8080 }).description,
      '10.1.2.3:8080 · ready',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Services

function slice(...endpoints: EndpointInput[]): EndpointSliceInput {
  return { addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] };
}

const webService: ServiceInput = {
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    type: 'ClusterIP',
    selector: { app: 'web' },
    clusterIP: '10.96.0.12',
    clusterIPs: ['10.96.0.12'],
    ports: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443 },
    ],
  },
};

describe('servicePresentation: descriptions by type', () => {
  test('ClusterIP, in full', () => {
    assert.deepEqual(servicePresentation(webService, [slice(readyEndpoint)], [readyPod]), {
      label: 'web',
      description: 'ClusterIP · 10.96.0.12 · 80→http/TCP, 443→8443/TCP',
      tooltip: [
        '**Service** `web` in namespace `shop`',
        '**Type:** ClusterIP · **Cluster IP:** `10.96.0.12`',
        '**Ports**',
        '- `http`: 80 → http/TCP (resolves to 8080)\n- `https`: 443 → 8443/TCP',
        '**Selector:** `app=web` · matches 1 Pod',
        '**Endpoints:** 1 endpoint: 1 ready',
      ].join('\n\n'),
      icon: { id: 'broadcast' },
      contextValue: 'service',
      warnings: [],
    });
  });

  test('headless', () => {
    const service: ServiceInput = {
      metadata: { name: 'db', namespace: 'shop' },
      spec: { selector: { app: 'db' }, clusterIP: 'None', ports: [{ port: 5432 }] },
    };
    const db = freshPod('db-0', { labels: { app: 'db' } });
    const presentation = servicePresentation(service, [slice({ addresses: ['10.1.2.20'] })], [db]);
    assert.equal(presentation.description, 'ClusterIP · None · 5432/TCP');
    assert.ok(
      presentation.tooltip.includes('**Cluster IP:** None (headless: DNS returns the Pod addresses)'),
    );
    assert.deepEqual(presentation.warnings, []);
  });

  test('ExternalName: the external name, no endpoints, no warnings', () => {
    const service: ServiceInput = {
      metadata: { name: 'db', namespace: 'shop' },
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
    };
    assert.deepEqual(servicePresentation(service, [], []), {
      label: 'db',
      description: 'ExternalName · db.example.com',
      tooltip: [
        '**Service** `db` in namespace `shop`',
        '**Type:** ExternalName · **External name:** `db.example.com`',
        '**Ports:** none',
        '**Endpoints:** none: an ExternalName Service is a DNS alias (CNAME), not a proxy to Pods',
      ].join('\n\n'),
      icon: { id: 'link-external' },
      contextValue: 'service',
      warnings: [],
    });
  });

  test('NodePort', () => {
    const service: ServiceInput = {
      metadata: { name: 'web-np', namespace: 'shop' },
      spec: {
        type: 'NodePort',
        selector: { app: 'web' },
        clusterIP: '10.96.0.13',
        ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }],
      },
    };
    const presentation = servicePresentation(service, [slice(readyEndpoint)], [readyPod]);
    assert.equal(presentation.description, 'NodePort · 10.96.0.13 · 80:30080→8080/TCP');
    assert.equal(presentation.contextValue, 'service.nodePort');
    assert.ok(presentation.tooltip.includes('- 80 → 8080/TCP (node port 30080)'));
  });

  test('LoadBalancer, pending and provisioned', () => {
    const pending: ServiceInput = {
      metadata: { name: 'web-lb', namespace: 'shop' },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'web' },
        clusterIP: '10.96.0.14',
        ports: [{ port: 80, nodePort: 31000 }],
      },
    };
    assert.equal(
      servicePresentation(pending, [slice(readyEndpoint)], [readyPod]).description,
      'LoadBalancer · 10.96.0.14 · <pending> · 80:31000/TCP',
    );
    const provisioned: ServiceInput = {
      ...pending,
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb.example.com' }] } },
    };
    const presentation = servicePresentation(provisioned, [slice(readyEndpoint)], [readyPod]);
    assert.equal(presentation.contextValue, 'service.loadBalancer');
    assert.equal(
      presentation.description,
      'LoadBalancer · 10.96.0.14 · 203.0.113.7,lb.example.com · 80:31000/TCP',
    );
    assert.ok(presentation.tooltip.includes('**External:** `203.0.113.7`, `lb.example.com`'));
  });

  test('NodePort and LoadBalancer: node ports on every node, a pending address explained', () => {
    const service: ServiceInput = {
      metadata: { name: 'web-lb', namespace: 'shop' },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'web' },
        clusterIP: '10.96.0.14',
        ports: [
          { name: 'http', port: 80, targetPort: 8080, nodePort: 31000 },
          { name: 'dns', port: 53, protocol: 'UDP', nodePort: 31053 },
        ],
      },
    };
    const tooltip = servicePresentation(service, [slice(readyEndpoint)], [readyPod]).tooltip;
    assert.ok(
      tooltip.includes(
        '**Type:** LoadBalancer · **Cluster IP:** `10.96.0.14` · **External:** pending (no load balancer has given this Service an address yet)',
      ),
      tooltip,
    );
    assert.ok(tooltip.includes("**Node ports:** 31000/TCP, 31053/UDP on every node's address"), tooltip);
    const clusterIP = servicePresentation(webService, [slice(readyEndpoint)], [readyPod]).tooltip;
    assert.doesNotMatch(clusterIP, /Node ports|Traffic/);
  });

  test('a Service without type is a ClusterIP Service; dual-stack IPs all show in the tooltip', () => {
    const service: ServiceInput = {
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12', 'fd00::c'] },
    };
    const presentation = servicePresentation(service, [slice(readyEndpoint)], [readyPod]);
    assert.equal(presentation.description, 'ClusterIP · 10.96.0.12');
    assert.ok(presentation.tooltip.includes('**Cluster IP:** `10.96.0.12`, `fd00::c`'));
  });
});

describe('serviceTrafficSentences', () => {
  const base: ServiceInput = {
    metadata: { name: 'web-np', namespace: 'shop' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }] },
  };
  const withSpec = (spec: NonNullable<ServiceInput['spec']>): ServiceInput => ({
    ...base,
    spec: { ...base.spec, ...spec },
  });

  test('externalTrafficPolicy: Local and Cluster, one plain sentence each', () => {
    assert.deepEqual(serviceTrafficSentences(withSpec({ externalTrafficPolicy: 'Local' })), [
      "`externalTrafficPolicy: Local`: only nodes that run a ready endpoint answer on the node port and the load balancer; the others drop the traffic, and the client's source address is kept.",
    ]);
    assert.deepEqual(serviceTrafficSentences(withSpec({ externalTrafficPolicy: 'Cluster' })), [
      "`externalTrafficPolicy: Cluster`: every node answers on the node port and forwards to any ready endpoint, possibly on another node; the client's source address is replaced by the node's.",
    ]);
  });

  test('a LoadBalancer with externalTrafficPolicy Local: its health check node port explained', () => {
    const service: ServiceInput = {
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 },
    };
    assert.equal(serviceTrafficSentences(service).length, 2);
    assert.equal(
      serviceTrafficSentences(service)[1],
      '`healthCheckNodePort: 32000`: the load balancer asks each node on this port, which answers 200 only where a ready endpoint runs, and sends traffic to those nodes alone.',
    );
    // A NodePort Service has no load balancer to ask.
    assert.equal(serviceTrafficSentences({ spec: { ...service.spec, type: 'NodePort' } }).length, 1);
  });

  test('externalTrafficPolicy on a ClusterIP Service has no effect, and an unknown value says so', () => {
    assert.deepEqual(
      serviceTrafficSentences({ spec: { type: 'ClusterIP', externalTrafficPolicy: 'Local' } }),
      [
        '`externalTrafficPolicy: Local`: has no effect on a ClusterIP Service (it applies to node ports and load balancers).',
      ],
    );
    assert.deepEqual(serviceTrafficSentences(withSpec({ externalTrafficPolicy: 'Nearest' })), [
      '`externalTrafficPolicy: Nearest`: not a policy Kubernetes knows (Cluster or Local).',
    ]);
  });

  test('internalTrafficPolicy and sessionAffinity only when they change something', () => {
    assert.deepEqual(
      serviceTrafficSentences({ spec: { internalTrafficPolicy: 'Cluster', sessionAffinity: 'None' } }),
      [],
    );
    assert.deepEqual(serviceTrafficSentences({ spec: { internalTrafficPolicy: 'Local' } }), [
      "`internalTrafficPolicy: Local`: traffic from a Pod goes only to endpoints on that Pod's own node, and is dropped on a node that has none.",
    ]);
    assert.deepEqual(serviceTrafficSentences({ spec: { sessionAffinity: 'ClientIP' } }), [
      '`sessionAffinity: ClientIP`: connections from one client address go to the same endpoint until it has been idle for 3h.',
    ]);
    assert.deepEqual(
      serviceTrafficSentences({
        spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
      }),
      [
        '`sessionAffinity: ClientIP`: connections from one client address go to the same endpoint until it has been idle for 60s.',
      ],
    );
  });

  test('Local: the node ports are answered on the nodes of the ready endpoints only', () => {
    const service = withSpec({ externalTrafficPolicy: 'Local' });
    const onNode2: EndpointInput = { ...readyEndpoint, addresses: ['10.1.2.4'], nodeName: 'node-2' };
    const notReadyOnNode3: EndpointInput = {
      ...readyEndpoint,
      addresses: ['10.1.2.5'],
      nodeName: 'node-3',
      conditions: { ready: false },
    };
    const tooltip = (slices: EndpointSliceInput[], known = true) =>
      servicePresentation(service, slices, [readyPod], {
        pods: { state: 'known', stale: false },
        endpointSlices: known ? { state: 'known', stale: false } : { state: 'forbidden', reason: 'no' },
      }).tooltip;
    assert.ok(
      tooltip([slice(readyEndpoint, onNode2, notReadyOnNode3)]).includes(
        '**Node ports:** 30080/TCP on the nodes that run a ready endpoint: `node-1`, `node-2`',
      ),
    );
    assert.ok(
      tooltip([slice(notReadyOnNode3)]).includes(
        '**Node ports:** 30080/TCP on the nodes that run a ready endpoint: none (no ready endpoint: every node drops the traffic)',
      ),
    );
    assert.ok(
      tooltip([], false).includes(
        '**Node ports:** 30080/TCP on the nodes that run a ready endpoint: not known (endpoints: no access)',
      ),
    );
  });

  test('the Service tooltip carries them under Traffic', () => {
    const service = withSpec({ externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP' });
    const tooltip = servicePresentation(service, [slice(readyEndpoint)], [readyPod]).tooltip;
    assert.ok(
      tooltip.includes(
        '**Traffic**\n\n- `externalTrafficPolicy: Local`: only nodes that run a ready endpoint answer',
      ),
      tooltip,
    );
    assert.ok(tooltip.includes('\n- `sessionAffinity: ClientIP`: '), tooltip);
  });
});

describe('servicePresentation: warnings', () => {
  test('selector matching no Pod', () => {
    const service: ServiceInput = { ...webService, spec: { ...webService.spec, selector: { app: 'wbe' } } };
    const presentation = servicePresentation(service, [], [readyPod, crashingPod]);
    assert.deepEqual(presentation.warnings, ['Selector matches no Pod', 'No ready endpoint']);
    assert.deepEqual(presentation.icon, { id: 'warning', color: 'list.warningForeground' });
    assert.ok(
      presentation.tooltip.endsWith(
        '**Selector:** `app=wbe` · matches 0 Pods\n\n**Endpoints:** none\n\n' +
          '**Warnings**\n\n- Selector matches no Pod\n- No ready endpoint',
      ),
      presentation.tooltip,
    );
  });

  test('Pods of another namespace do not count', () => {
    const elsewhere = { ...readyPod, metadata: { ...readyPod.metadata, namespace: 'other' } };
    assert.deepEqual(serviceWarnings(webService, [slice(readyEndpoint)], [elsewhere]), [
      'Selector matches no Pod',
    ]);
  });

  test('a named targetPort that no selected Pod declares', () => {
    const service: ServiceInput = {
      ...webService,
      spec: { ...webService.spec, ports: [{ name: 'grpc', port: 9000, targetPort: 'grpc' }] },
    };
    const presentation = servicePresentation(service, [slice(readyEndpoint)], [readyPod]);
    assert.deepEqual(presentation.warnings, ['targetPort grpc is not declared by any selected Pod']);
    assert.ok(presentation.tooltip.includes('- `grpc`: 9000 → grpc/TCP (not declared by any selected Pod)'));
  });

  test('a named targetPort declared for another protocol', () => {
    const service: ServiceInput = {
      ...webService,
      spec: {
        ...webService.spec,
        ports: [{ name: 'http-udp', port: 80, targetPort: 'http', protocol: 'UDP' }],
      },
    };
    assert.deepEqual(serviceWarnings(service, [slice(readyEndpoint)], [readyPod]), [
      'targetPort http/UDP is not declared by any selected Pod',
    ]);
  });

  test('a named targetPort that one of the selected Pods declares is fine', () => {
    const bare: PodInput = {
      metadata: { name: 'web-bare', namespace: 'shop', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app' }] },
    };
    assert.deepEqual(serviceWarnings(webService, [slice(readyEndpoint)], [bare, readyPod]), []);
    assert.deepEqual(serviceWarnings(webService, [slice(readyEndpoint)], [bare]), [
      'targetPort http is not declared by any selected Pod',
    ]);
  });

  test('a named targetPort resolving to different numbers lists them', () => {
    const other = freshPod('web-2');
    const moved: PodInput = {
      ...other,
      spec: { containers: [{ name: 'app', ports: [{ name: 'http', containerPort: 8081 }] }] },
    };
    const presentation = servicePresentation(webService, [slice(readyEndpoint)], [readyPod, moved]);
    assert.ok(presentation.tooltip.includes('- `http`: 80 → http/TCP (resolves to 8080, 8081)'));
    assert.ok(presentation.tooltip.includes('matches 2 Pods'));
  });

  test('a numeric targetPort needs no declaration', () => {
    const service: ServiceInput = {
      ...webService,
      spec: { ...webService.spec, ports: [{ port: 80, targetPort: 3000 }] },
    };
    assert.deepEqual(serviceWarnings(service, [slice(readyEndpoint)], [readyPod]), []);
  });

  test('no ready endpoint: not ready, terminating, or no endpoints at all', () => {
    const notReady = { ...readyEndpoint, conditions: { ready: false, serving: false, terminating: false } };
    const terminating = {
      addresses: ['10.1.2.8'],
      conditions: { ready: false, serving: true, terminating: true },
      targetRef: { kind: 'Pod', name: 'web-old', namespace: 'shop' },
    };
    const presentation = servicePresentation(webService, [slice(notReady, terminating)], [readyPod]);
    assert.deepEqual(presentation.warnings, ['No ready endpoint']);
    assert.ok(presentation.tooltip.includes('**Endpoints:** 2 endpoints: 1 not ready, 1 terminating'));
    assert.deepEqual(serviceWarnings(webService, [], [readyPod]), ['No ready endpoint']);
    assert.deepEqual(
      serviceWarnings(webService, [{ addressType: 'IPv4', endpoints: null, ports: null }], [readyPod]),
      ['No ready endpoint'],
    );
  });

  test('every warning at once, most fundamental first', () => {
    const bare: PodInput = {
      metadata: { name: 'web-bare', namespace: 'shop', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app' }] },
    };
    assert.deepEqual(serviceWarnings(webService, [], [bare]), [
      'targetPort http is not declared by any selected Pod',
      'No ready endpoint',
    ]);
  });

  test('a Service without selector gets no warning, and the tooltip says why', () => {
    const service: ServiceInput = {
      metadata: { name: 'external-db', namespace: 'shop' },
      spec: { clusterIP: '10.96.0.50', ports: [{ port: 5432 }] },
    };
    const presentation = servicePresentation(service, [], [readyPod]);
    assert.deepEqual(presentation.warnings, []);
    assert.deepEqual(presentation.icon, { id: 'broadcast' });
    assert.ok(
      presentation.tooltip.includes(
        '**Selector:** none: its endpoints are managed manually (EndpointSlices that someone else writes), ' +
          'so KubeReach does not check them against Pods',
      ),
      presentation.tooltip,
    );
    assert.deepEqual(serviceWarnings({ ...service, spec: { ...service.spec, selector: {} } }, [], []), []);
  });
});

describe('countEndpoints', () => {
  test('a dual-stack Pod listed in two slices counts once', () => {
    const v6 = { ...readyEndpoint, addresses: ['fd00::3'] };
    const noRef = { addresses: ['10.1.2.30'], conditions: { ready: false } };
    assert.deepEqual(
      countEndpoints([slice(readyEndpoint, noRef), { addressType: 'IPv6', endpoints: [v6] }, slice(noRef)]),
      { ready: 1, notReady: 1, terminating: 0 },
    );
  });
});

describe('servicePortPresentation', () => {
  test('label the mapping, description the name', () => {
    assert.deepEqual(servicePortPresentation(webService, webService.spec!.ports![0]!), {
      label: '80→http/TCP',
      description: 'http',
      tooltip: [
        '**Service port** 80 → http/TCP of `web`',
        '**Name:** `http`',
        'Traffic goes to the container port named `http` on each selected Pod.',
      ].join('\n\n'),
      icon: { id: 'plug' },
      contextValue: 'servicePort',
    });
  });

  test('numeric target and node port', () => {
    const presentation = servicePortPresentation(webService, { port: 80, targetPort: 8080, nodePort: 30080 });
    assert.equal(presentation.label, '80:30080→8080/TCP');
    assert.equal(presentation.description, '');
    assert.equal(presentation.tooltip, '**Service port** 80 → 8080/TCP of `web`\n\n**Node port:** 30080');
  });
});

describe('services from client-node', () => {
  test('V1Service, V1EndpointSlice and V1Pod fit', () => {
    const service = ObjectSerializer.deserialize(structuredClone(webService), 'V1Service', '') as V1Service;
    const endpointSlice = ObjectSerializer.deserialize(
      { addressType: 'IPv4', ...structuredClone(slice(readyEndpoint)) },
      'V1EndpointSlice',
      '',
    ) as V1EndpointSlice;
    const pod = ObjectSerializer.deserialize(structuredClone(readyPod), 'V1Pod', '') as V1Pod;
    assert.deepEqual(
      servicePresentation(service, [endpointSlice], [pod]),
      servicePresentation(webService, [slice(readyEndpoint)], [readyPod]),
    );
    const endpoint = endpointSlice.endpoints![0]!;
    assert.equal(endpointPresentation(endpoint, endpointSlice.ports).description, '10.1.2.3:8080 · ready');
    assert.equal(
      containerPresentation(pod, 'app', NOW).description,
      'running · ready · 3 restarts (2m ago) · nginx:1.27',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Namespaces and contexts

describe('namespacePresentation', () => {
  test('counts Pods, not-ready Pods and Services', () => {
    assert.deepEqual(namespacePresentation('shop', { pods: 12, notReady: 1, services: 3, watched: true }), {
      label: 'shop',
      description: '12 pods · 1 not ready · 3 services',
      tooltip: '**Namespace** `shop`\n\n**Pods:** 12 · **Not ready:** 1 · **Services:** 3',
      icon: { id: 'symbol-namespace', color: 'list.warningForeground' },
      contextValue: 'namespace.watched',
    });
  });

  test('singulars, no not-ready part when all are ready, unknown counts left out', () => {
    const presentation = namespacePresentation('one', { pods: 1, notReady: 0, services: 1, watched: true });
    assert.equal(presentation.description, '1 pod · 1 service');
    assert.deepEqual(presentation.icon, { id: 'symbol-namespace' });
    assert.equal(
      namespacePresentation('x', { pods: undefined, notReady: 0, services: 3, watched: true }).description,
      '3 services',
    );
    assert.equal(
      namespacePresentation('x', { pods: 0, notReady: 0, services: 0, watched: true }).description,
      '0 pods · 0 services',
    );
  });

  test('what cannot be read or is not listed yet is shown as itself, never as zero', () => {
    const known = { state: 'known', stale: false } as const;
    const forbidden = {
      state: 'forbidden',
      reason: 'pods is forbidden: User "u" cannot list resource "pods"',
    } as const;
    const both = namespacePresentation('data', {
      pods: 0,
      notReady: 0,
      services: 0,
      access: { pods: forbidden, services: { ...forbidden, reason: 'services is forbidden' } },
    });
    assert.equal(both.description, 'no access');
    assert.deepEqual(both.icon, { id: 'lock', color: 'list.warningForeground' });
    assert.match(both.tooltip ?? '', /may not list its Pods or Services \(403\)/);
    assert.match(both.tooltip ?? '', /cannot list resource "pods"/);

    const loading = namespacePresentation('shop', {
      pods: 4,
      notReady: 1,
      services: 0,
      access: { pods: known, services: { state: 'loading' } },
    });
    assert.equal(loading.description, '4 pods · 1 not ready · services: loading…');
    assert.match(loading.tooltip ?? '', /\*\*Services:\*\* loading…/);

    const partial = namespacePresentation('shop', {
      pods: 0,
      notReady: 0,
      services: 2,
      access: { pods: forbidden, services: known },
    });
    assert.equal(partial.description, 'pods: no access · 2 services');
    assert.match(partial.tooltip ?? '', /\*\*Not ready:\*\* no access/);
    assert.deepEqual(partial.icon, { id: 'lock', color: 'list.warningForeground' });
  });

  test('an unwatched namespace shows no counts', () => {
    assert.deepEqual(
      namespacePresentation('kube-system', { pods: 0, notReady: 0, services: 0, watched: false }),
      {
        label: 'kube-system',
        description: '',
        tooltip:
          '**Namespace** `kube-system`\n\nNot watched: KubeReach has not loaded its Pods and Services.',
        icon: { id: 'symbol-namespace' },
        contextValue: 'namespace',
      },
    );
  });
});

describe('contextPresentation', () => {
  test('the current context', () => {
    assert.deepEqual(
      contextPresentation(
        {
          name: 'kind-dev',
          cluster: 'kind-dev',
          user: 'kind-dev',
          namespace: undefined,
          server: 'https://127.0.0.1:6443',
        },
        true,
      ),
      {
        label: 'kind-dev',
        description: 'current',
        tooltip: [
          '**Context** `kind-dev` (current)',
          '**Cluster:** `kind-dev`',
          '**Server:** `https://127.0.0.1:6443`',
          '**User:** `kind-dev`',
          '**Namespace:** default (not set)',
        ].join('\n\n'),
        icon: { id: 'vm-active', color: 'testing.iconPassed' },
        contextValue: 'context.current',
      },
    );
  });

  test('another context, its cluster and namespace; a password in the server URL is redacted', () => {
    const presentation = contextPresentation(
      {
        name: 'prod',
        cluster: 'prod-eu',
        user: 'me',
        namespace: 'team-a',
        server: 'https://admin:s3cret@prod.example.com',
      },
      false,
    );
    assert.equal(presentation.description, 'prod-eu · ns team-a');
    assert.deepEqual(presentation.icon, { id: 'vm-outline' });
    assert.equal(presentation.contextValue, 'context');
    assert.ok(presentation.tooltip.includes('**Server:** `https://admin:<redacted>@prod.example.com`'));
    assert.ok(!presentation.tooltip.includes('s3cret'));
    assert.ok(presentation.tooltip.includes('**Namespace:** `team-a`'));
  });

  test('a context known by name only', () => {
    assert.deepEqual(contextPresentation({ name: 'gone' }, false), {
      label: 'gone',
      description: '',
      tooltip: '**Context** `gone`\n\n**Namespace:** default (not set)',
      icon: { id: 'vm-outline' },
      contextValue: 'context',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Guarantees across the module

describe('every icon and color exists in VS Code', () => {
  // Checked against VS Code's codicon registry and theme color registry.
  const codicons = new Set([
    'pass-filled',
    'warning',
    'clock',
    'check',
    'error',
    'debug-restart',
    'flame',
    'trash',
    'circle-filled',
    'circle-large-outline',
    'plug',
    'broadcast',
    'link-external',
    'symbol-namespace',
    'vm-active',
    'vm-outline',
    'globe',
    'arrow-right',
    'server',
  ]);
  const colors = new Set([
    'testing.iconPassed',
    'list.warningForeground',
    'list.errorForeground',
    'disabledForeground',
    'charts.blue',
  ]);
  test('in every presentation these tests build', () => {
    const pods = [
      readyPod,
      notReadyPod,
      unscheduledPod,
      creatingPod,
      pullBackOffPod,
      completedPod,
      evictedPod,
      terminatingPod,
      initPod,
      initDonePod,
      initCrashPod,
      crashingPod,
    ];
    const icons: IconChoice[] = [
      ...pods.map((pod) => podPresentation(pod, NOW).icon),
      ...pods.flatMap((pod) =>
        [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map(
          (c) => containerPresentation(pod, c.name, NOW).icon,
        ),
      ),
      containerPortPresentation({ containerPort: 1 }).icon,
      servicePresentation(webService, [], []).icon,
      servicePresentation(webService, [slice(readyEndpoint)], [readyPod]).icon,
      servicePresentation({ spec: { type: 'ExternalName' } }, [], []).icon,
      servicePortPresentation(webService, { port: 1 }).icon,
      ...(['ready', 'notReady', 'terminating'] as const).map(
        (state) =>
          endpointPresentation(
            {
              addresses: ['1.1.1.1'],
              conditions: { ready: state === 'ready', terminating: state === 'terminating' },
            },
            [],
          ).icon,
      ),
      namespacePresentation('a', { pods: 1, notReady: 1, services: 0, watched: true }).icon,
      contextPresentation({ name: 'a' }, true).icon,
      contextPresentation({ name: 'a' }, false).icon,
      ...[undefined, [{ ip: '1.1.1.1' }]].flatMap((address) => {
        const ingress = {
          spec: {
            ingressClassName: 'a',
            rules: [
              {
                http: {
                  paths: [
                    { pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
                  ],
                },
              },
            ],
          },
          status: { loadBalancer: { ingress: address } },
        };
        const around = (known: boolean) => ({
          services: [webService],
          servicesKnowledge: { state: 'known', stale: false } as const,
          endpointSlices: [],
          endpointSlicesKnowledge: known
            ? ({ state: 'known', stale: false } as const)
            : ({ state: 'loading' } as const),
          ingressClasses: [{ metadata: { name: 'a' } }],
          ingressClassesKnowledge: { state: 'known', stale: false } as const,
        });
        return [true, false].flatMap((known) => [
          ingressPresentation(ingress, around(known)).icon,
          ...ingressRoutes(ingress).map(
            (route) => ingressRoutePresentation(ingress, route, around(known)).icon,
          ),
        ]);
      }),
      ...['True', 'False', 'Unknown'].map(
        (status) =>
          nodePresentation({ status: { conditions: [{ type: 'Ready', status }] } }, countPodsPerNode([]))
            .icon,
      ),
    ];
    for (const icon of icons) {
      assert.ok(codicons.has(icon.id), icon.id);
      if (icon.color !== undefined) {
        assert.ok(colors.has(icon.color), icon.color);
      }
    }
  });
});

test('format.ts and access.ts stay pure: they import only the analysis code, redact and each other', () => {
  for (const file of ['format.ts', 'access.ts']) {
    const source = readFileSync(new URL(`../../../src/explorer/${file}`, import.meta.url), 'utf8');
    const imports = [...source.matchAll(/ from '([^']+)';/g)].map((match) => match[1]);
    for (const specifier of imports) {
      assert.match(
        specifier!,
        /^(\.\.\/analysis\/[a-zA-Z0-9]+|\.\/access|\.\.\/logging\/redact)\.ts$/,
        `${file}: ${specifier}`,
      );
    }
    assert.ok(!/from 'vscode'|require\(/.test(source), file);
  }
});
