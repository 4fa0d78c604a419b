/** The words of GatewayClass items and of a Gateway's class line: accepted, refused, not yet reported. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayClass } from '../../../src/analysis/gateway/index.ts';
import {
  classAcceptance,
  classRefusedWarning,
  gatewayClassLine,
  gatewayClassPresentation,
} from '../../../src/explorer/gatewayClassFormat.ts';
import { gateway } from '../analysis/gateway/fixtures.ts';

function gatewayClass(conditions?: GatewayClass['status'], generation = 1): GatewayClass {
  return {
    metadata: { name: 'edge', generation },
    spec: { controllerName: 'example.com/gw' },
    ...(conditions === undefined ? {} : { status: conditions }),
  };
}

const accepted = (observedGeneration = 1) =>
  gatewayClass({
    conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration }],
  });
const refused = gatewayClass({
  conditions: [{ type: 'Accepted', status: 'False', reason: 'InvalidParameters', message: 'no params' }],
});

describe('GatewayClass items', () => {
  test('accepted, refused, not reported, and accepted for an older generation', () => {
    assert.deepEqual(classAcceptance(accepted()), { state: 'accepted', stale: false });
    assert.deepEqual(classAcceptance({ ...accepted(1), metadata: { name: 'edge', generation: 2 } }), {
      state: 'accepted',
      stale: true,
    });
    assert.equal(classAcceptance(refused).state, 'refused');
    assert.equal(classAcceptance(gatewayClass()).state, 'pending');
    assert.equal(
      classAcceptance(
        gatewayClass({
          conditions: [{ type: 'Accepted', status: 'Unknown', reason: 'Pending', message: '' }],
        }),
      ).state,
      'pending',
    );
  });

  test('the item: controller, state and the Gateways using it; unread namespaces named, not counted as none', () => {
    const users = { gateways: [gateway('b', []), gateway('a', [])], unread: [], watched: ['infra'] };
    const p = gatewayClassPresentation(accepted(), users);
    assert.equal(p.label, 'edge');
    assert.equal(p.description, 'example.com/gw · accepted · 2 Gateways');
    assert.equal(p.contextValue, 'gatewayClass');
    assert.match(
      p.tooltip,
      /\*\*Gateways using it\*\* \(in the watched namespaces\): `infra\/a`, `infra\/b`/,
    );
    assert.notEqual(p.icon.id, 'warning');

    const pending = gatewayClassPresentation(gatewayClass(), {
      gateways: [],
      unread: [{ namespace: 'shop', word: 'no access' }],
      watched: ['infra', 'shop'],
    });
    assert.equal(pending.description, 'example.com/gw · not accepted yet · 0 Gateways+?');
    assert.equal(pending.icon.id, 'warning');
    assert.match(pending.tooltip, /no controller named `example\.com\/gw` has written its status/);
    assert.match(pending.tooltip, /none in the watched namespaces \(`infra`, `shop`\)/);
    assert.match(
      pending.tooltip,
      /\*\*Not known:\*\* the Gateways of namespace `shop` could not be read \(no access\)/,
    );
  });

  test("a Gateway's class line and the warning of a refused class", () => {
    assert.equal(classRefusedWarning(accepted()), undefined);
    assert.equal(classRefusedWarning(gatewayClass()), undefined, 'not reported yet is not refused');
    assert.equal(classRefusedWarning(undefined), undefined);
    assert.equal(
      classRefusedWarning(refused),
      'GatewayClass edge was not accepted by its controller (Accepted False, InvalidParameters: no params): no controller serves this Gateway',
    );
    assert.equal(gatewayClassLine('edge', undefined), '**Class:** `edge`');
    assert.equal(
      gatewayClassLine('edge', accepted()),
      '**Class:** `edge`, accepted by controller `example.com/gw`',
    );
  });
});
