/**
 * The explorer's context menus for the tree items of outside access (Ingresses, their rules,
 * Nodes and their groups), read from package.json and evaluated as VS Code evaluates `viewItem`
 * in a `when` clause: only the commands that make sense on each item appear.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

interface MenuEntry {
  readonly command: string;
  readonly when?: string;
  readonly group?: string;
}

const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  contributes: { menus: { 'view/item/context': MenuEntry[] } };
};

/** The commands of the explorer's item menus whose `viewItem` condition holds for `contextValue`. */
function commandsFor(contextValue: string, inline: boolean): string[] {
  const commands = new Set<string>();
  for (const entry of manifest.contributes.menus['view/item/context']) {
    const when = entry.when ?? '';
    if (!when.includes('view == kubereach.explorer') || when.includes('listMultiSelection')) {
      continue;
    }
    if ((entry.group === 'inline') !== inline) {
      continue;
    }
    const regex = /viewItem =~ \/(.+)\/(?:\s|$)/.exec(when);
    const equal = /viewItem == ([\w.]+)/.exec(when);
    const matches = regex
      ? new RegExp(regex[1]!).test(contextValue)
      : equal
        ? equal[1] === contextValue
        : true;
    if (matches) {
      commands.add(entry.command);
    }
  }
  return [...commands].sort();
}

test('an Ingress: Show YAML (inline too), Copy Name, Copy IP (its address), Diagnose External Access', () => {
  assert.deepEqual(commandsFor('ingress', false), [
    'kubereach.copyIP',
    'kubereach.copyName',
    'kubereach.diagnoseExternal',
    'kubereach.showYaml',
  ]);
  assert.deepEqual(commandsFor('ingress', true), ['kubereach.showYaml']);
});

test("an Ingress rule: its Ingress's YAML and Diagnose External Access, from the menu only", () => {
  assert.deepEqual(commandsFor('ingressRule', false), ['kubereach.diagnoseExternal', 'kubereach.showYaml']);
  assert.deepEqual(commandsFor('ingressRule', true), []);
});

test('a Node: Show YAML (inline too), Copy Name, Copy IP (its internal address)', () => {
  assert.deepEqual(commandsFor('node', false), [
    'kubereach.copyIP',
    'kubereach.copyName',
    'kubereach.showYaml',
  ]);
  assert.deepEqual(commandsFor('node', true), ['kubereach.showYaml']);
});

test('the Nodes and Ingresses groups have no item commands', () => {
  for (const group of ['group.nodes', 'group.ingresses']) {
    assert.deepEqual(commandsFor(group, false), [], group);
    assert.deepEqual(commandsFor(group, true), [], group);
  }
});

test('NodePort and LoadBalancer Services get every Service command, and Diagnose External Access', () => {
  assert.ok(!commandsFor('service', false).includes('kubereach.diagnoseExternal'));
  for (const contextValue of ['service.nodePort', 'service.loadBalancer']) {
    assert.deepEqual(
      commandsFor(contextValue, false),
      [...commandsFor('service', false), 'kubereach.diagnoseExternal'].sort(),
      contextValue,
    );
    assert.deepEqual(commandsFor(contextValue, true), commandsFor('service', true), contextValue);
  }
});

test('the existing items keep their menus (a Pod, a Service, a namespace)', () => {
  assert.ok(commandsFor('pod.ready', false).includes('kubereach.portForward'));
  assert.ok(commandsFor('service', false).includes('kubereach.showYaml'));
  assert.ok(commandsFor('namespace.watched', false).includes('kubereach.copyName'));
  assert.ok(!commandsFor('namespace.watched', false).includes('kubereach.showYaml'));
});

test('Gateway API items: Show YAML of their object, Copy Name, Copy IP on a Gateway, Diagnose External Access on an HTTPRoute, a GRPCRoute and their rules', () => {
  assert.deepEqual(commandsFor('gateway', false), [
    'kubereach.copyIP',
    'kubereach.copyName',
    'kubereach.showYaml',
  ]);
  assert.deepEqual(commandsFor('gateway', true), ['kubereach.showYaml']);
  assert.deepEqual(commandsFor('gatewayListener', false), ['kubereach.copyName', 'kubereach.showYaml']);
  assert.deepEqual(commandsFor('httpRoute', false), [
    'kubereach.copyName',
    'kubereach.diagnoseExternal',
    'kubereach.showYaml',
  ]);
  assert.deepEqual(commandsFor('httpRoute', true), ['kubereach.showYaml']);
  // A GRPCRoute is diagnosed too: the gRPC call its rule stands for, by the static hops.
  assert.deepEqual(commandsFor('grpcRoute', false), [
    'kubereach.copyName',
    'kubereach.diagnoseExternal',
    'kubereach.showYaml',
  ]);
  assert.deepEqual(commandsFor('gatewayRouteRule', false), [
    'kubereach.diagnoseExternal',
    'kubereach.showYaml',
  ]);
  assert.deepEqual(commandsFor('gatewayBackendRef', false), ['kubereach.showYaml']);
  assert.deepEqual(commandsFor('gatewayGroup', false), []);
});
