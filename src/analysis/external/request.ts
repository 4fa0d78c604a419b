/**
 * What a user asks "Diagnose External Access" about, from what they typed in the palette or the
 * tree item they chose.
 */
import { isValidIp } from '../cidr.ts';
import type { ExternalRequest } from './types.ts';

/**
 * `http://shop.example.com/api` or `shop.example.com/api` is a URL; `host:port` without scheme or
 * path is a node port when host is an IP address or the name of a node, else a URL; a URL followed
 * by `via namespace/name` goes through that Gateway. Undefined for an empty text or a port outside
 * 1-65535.
 */
export function externalRequestFromInput(
  text: string,
  nodeNames: readonly string[],
): ExternalRequest | undefined {
  const via = /^(.*\S)\s+via\s+([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)$/i.exec(text.trim());
  if (via !== null) {
    // `http://store.example.com/api via infra/public`: the request through that Gateway.
    return {
      kind: 'url',
      url: via[1]!,
      via: { kind: 'gateway', namespace: via[2]!, name: via[3]! },
    };
  }
  const trimmed = text.trim();
  if (trimmed === '') {
    return undefined;
  }
  const hostPort = /^\[?([^\s/[\]]+?)\]?:(\d{1,5})$/.exec(trimmed);
  if (hostPort !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    const [, host, portText] = hostPort;
    const port = Number(portText);
    if (port < 1 || port > 65535) {
      return undefined;
    }
    if (isValidIp(host!) || nodeNames.includes(host!)) {
      return { kind: 'nodePort', node: host!, port };
    }
  }
  return { kind: 'url', url: trimmed };
}

/**
 * The palette's text with an optional client address after `from`
 * (`http://shop.example.com/ from 203.0.113.7`): loadBalancerSourceRanges and ipBlocks are read
 * against it. A `from` not followed by an IP address is left in the text.
 */
export function splitClientAddress(text: string): { readonly text: string; readonly clientIp?: string } {
  const match = /^(.*\S)\s+from\s+(\S+)$/i.exec(text.trim());
  if (match !== null && isValidIp(match[2]!)) {
    return { text: match[1]!, clientIp: match[2]! };
  }
  return { text: text.trim() };
}

/** A tree item as the explorer hands it to a command, the parts read here. */
export type ExternalTreeItem =
  | { readonly kind: 'ingress'; readonly namespace: string; readonly name: string }
  | {
      readonly kind: 'ingressRule';
      readonly namespace: string;
      readonly ingress: string;
      readonly key: string;
    }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string };

/**
 * The request a tree item stands for. A rule's key is `rule/path` or `rule` (the explorer's
 * `IngressRoute.key`); the default backend's key is `default`.
 */
export function externalRequestFromItem(item: ExternalTreeItem): ExternalRequest {
  switch (item.kind) {
    case 'ingress':
      return { kind: 'ingress', namespace: item.namespace, name: item.name };
    case 'service':
      return { kind: 'service', namespace: item.namespace, name: item.name };
    case 'ingressRule': {
      if (item.key === 'default') {
        return { kind: 'ingressDefaultBackend', namespace: item.namespace, name: item.ingress };
      }
      const [rule, path] = item.key.split('/');
      const ruleIndex = Number(rule);
      if (!Number.isInteger(ruleIndex)) {
        return { kind: 'ingress', namespace: item.namespace, name: item.ingress };
      }
      return {
        kind: 'ingressRule',
        namespace: item.namespace,
        name: item.ingress,
        ruleIndex,
        pathIndex: path === undefined ? 0 : Number(path),
      };
    }
  }
}

/** How a request reads in a title. */
export function requestText(request: ExternalRequest): string {
  switch (request.kind) {
    case 'url':
      return request.via === undefined
        ? request.url
        : `${request.url} through Gateway ${request.via.namespace}/${request.via.name}`;
    case 'httpRoute':
      return `HTTPRoute ${request.namespace}/${request.name}${request.ruleIndex === undefined ? '' : ` rule ${request.ruleIndex + 1}`}`;
    case 'grpcRoute':
      return `GRPCRoute ${request.namespace}/${request.name}${request.ruleIndex === undefined ? '' : ` rule ${request.ruleIndex + 1}`}`;
    case 'nodePort':
      return `${request.node}:${request.port}`;
    case 'ingress':
      return `Ingress ${request.namespace}/${request.name}`;
    case 'ingressRule':
      return `Ingress ${request.namespace}/${request.name} rule ${request.ruleIndex}`;
    case 'ingressDefaultBackend':
      return `the default backend of Ingress ${request.namespace}/${request.name}`;
    case 'service':
      return `Service ${request.namespace}/${request.name}`;
  }
}
