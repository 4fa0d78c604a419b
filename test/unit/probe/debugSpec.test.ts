import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  debugContainerName,
  debugContainerState,
  ephemeralContainerSpec,
  findDebugContainer,
  normalizeImage,
  sameImage,
} from '../../../src/probe/debugSpec.ts';
import type { PodLike } from '../../../src/probe/debugSpec.ts';

const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };

function pod(ephemeral: Array<{ name: string; image: string; state?: object }>): PodLike {
  return {
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      containers: [{ name: 'app', image: 'gcr.io/distroless/static' }],
      ephemeralContainers: ephemeral.map(({ name, image }) => ({ name, image })),
    },
    status: {
      phase: 'Running',
      ephemeralContainerStatuses: ephemeral
        .filter((c) => c.state !== undefined)
        .map(({ name, image, state }) => ({ name, image, state: state as never })),
    },
  };
}

describe('debug containers', () => {
  test('images compare without the default registry, library/ and :latest', () => {
    assert.equal(normalizeImage('nicolaka/netshoot'), 'nicolaka/netshoot:latest');
    assert.ok(sameImage('docker.io/nicolaka/netshoot:latest', 'nicolaka/netshoot'));
    assert.ok(sameImage('busybox', 'docker.io/library/busybox:latest'));
    assert.ok(!sameImage('nicolaka/netshoot:v0.13', 'nicolaka/netshoot'));
    assert.ok(!sameImage('registry.local:5000/netshoot', 'netshoot'));
    assert.equal(normalizeImage('registry.local:5000/netshoot'), 'registry.local:5000/netshoot:latest');
  });

  test('reuses the newest running one of the image, never one that is not running', () => {
    const p = pod([
      { name: 'kubereach-debug', image: 'nicolaka/netshoot', state: running },
      { name: 'other', image: 'busybox', state: running },
      { name: 'kubereach-debug-2', image: 'docker.io/nicolaka/netshoot:latest', state: running },
      { name: 'kubereach-debug-3', image: 'nicolaka/netshoot', state: { terminated: { exitCode: 0 } } },
    ]);
    assert.equal(findDebugContainer(p, 'nicolaka/netshoot'), 'kubereach-debug-2');
    assert.equal(findDebugContainer(p, 'busybox:latest'), 'other');
    assert.equal(findDebugContainer(p, 'alpine'), undefined);
    assert.equal(
      findDebugContainer(pod([{ name: 'x', image: 'nicolaka/netshoot' }]), 'nicolaka/netshoot'),
      undefined,
    );
  });

  test('a new one gets a free name', () => {
    assert.equal(debugContainerName(pod([])), 'kubereach-debug');
    assert.equal(
      debugContainerName(
        pod([
          { name: 'kubereach-debug', image: 'a' },
          { name: 'kubereach-debug-2', image: 'a' },
        ]),
      ),
      'kubereach-debug-3',
    );
  });

  test('the spec keeps the container running without a TTY', () => {
    assert.deepEqual(ephemeralContainerSpec('kubereach-debug', 'nicolaka/netshoot', 'app'), {
      name: 'kubereach-debug',
      image: 'nicolaka/netshoot',
      command: ['sleep', 'infinity'],
      targetContainerName: 'app',
      stdin: false,
      tty: false,
    });
    assert.equal('targetContainerName' in ephemeralContainerSpec('d', 'i'), false);
  });

  test('its state: running, waiting, or failed with a reason', () => {
    assert.deepEqual(debugContainerState(pod([{ name: 'd', image: 'i', state: running }]), 'd'), {
      state: 'running',
    });
    assert.deepEqual(debugContainerState(pod([{ name: 'd', image: 'i' }]), 'd'), { state: 'waiting' });
    assert.deepEqual(
      debugContainerState(
        pod([{ name: 'd', image: 'i', state: { waiting: { reason: 'ContainerCreating' } } }]),
        'd',
      ),
      { state: 'waiting', reason: 'ContainerCreating' },
    );
    const pull = debugContainerState(
      pod([
        {
          name: 'd',
          image: 'i',
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "i"' } },
        },
      ]),
      'd',
    );
    assert.deepEqual(pull, {
      state: 'failed',
      message: 'The debug container d cannot start (ImagePullBackOff): Back-off pulling image "i".',
    });
    const ended = debugContainerState(
      pod([{ name: 'd', image: 'i', state: { terminated: { reason: 'Completed', exitCode: 0 } } }]),
      'd',
    );
    assert.equal(ended.state, 'failed');
  });
});
