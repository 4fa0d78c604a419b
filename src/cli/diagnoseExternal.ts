/**
 * `kubereach diagnose URL`: the outside-in diagnosis of "Diagnose External Access…" (the cluster
 * layer's ExternalDiagnoser, its live probes and its port-forward to the controller or Gateway
 * Pod), from a terminal. This module reads the target (what the palette takes, plus the explorer's
 * items as `svc/`, `ingress/` and `httproute/` targets), opens the session, and prints.
 */
import type { ExternalRequest } from '../analysis/external/index.ts';
import { externalRequestFromInput } from '../analysis/external/request.ts';
import { isValidIp } from '../analysis/cidr.ts';
import type { ExternalReport } from '../diagnose/externalDiagnoser.ts';
import { externalToMarkdown } from '../diagnose/externalMarkdown.ts';
import { redactStrings } from '../logging/redact.ts';
import type { ClusterFlags } from './cluster.ts';
import { CliError, EXIT_FINDINGS, EXIT_OK, usageError } from './errors.ts';
import type { CliIo } from './io.ts';
import { hopsText, pathWorks } from './hopsText.ts';
import { openSession } from './session.ts';
import type { Colors } from './terminal.ts';

/** What the command line asked, before the cluster is read (node names are needed to finish). */
export type ExternalTarget =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'request'; readonly request: ExternalRequest };

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A target the outside-in diagnosis takes: a URL, NODE:PORT, or a kind/name of the explorer. */
export function isExternalTarget(text: string): boolean {
  return URL_SCHEME.test(text);
}

/**
 * One TARGET without SOURCE: `http://shop.example.com/api` (or `shop.example.com/api`: the first
 * segment has a dot), `NODE:PORT` (a node's name or address), `svc/NAME[:PORT]` (a NodePort or
 * LoadBalancer Service), `ingress/NAME`, `httproute/NAME[#RULE]`, `grpcroute/NAME[#RULE]` (the
 * gRPC call its rule stands for, not probed); kinds take NAMESPACE/ first or
 * `-n`. Anything else is a usage error here, so that a forgotten TARGET is not read as a URL.
 */
export function parseExternalTarget(text: string, namespace: string | undefined): ExternalTarget {
  const fail = () =>
    usageError(
      'diagnose',
      `"${text}" is not a URL, NODE:PORT, svc/NAME, ingress/NAME, httproute/NAME or grpcroute/NAME (or give SOURCE and TARGET)`,
    );
  if (URL_SCHEME.test(text)) {
    if (!/^https?:\/\//i.test(text)) {
      throw usageError('diagnose', `only http:// and https:// URLs are diagnosed (got "${text}")`);
    }
    return { kind: 'text', text };
  }
  const parts = text.split('/');
  const kind = parts.length >= 2 ? (parts.length === 3 ? parts[1] : parts[0])!.toLowerCase() : '';
  const kinds: Record<string, 'service' | 'ingress' | 'httpRoute' | 'grpcRoute'> = {
    svc: 'service',
    service: 'service',
    ingress: 'ingress',
    ing: 'ingress',
    httproute: 'httpRoute',
    grpcroute: 'grpcRoute',
  };
  const requestKind = kinds[kind];
  if (requestKind !== undefined && parts.length <= 3 && parts.every((part) => part !== '')) {
    const ns = parts.length === 3 ? parts[0]! : (namespace ?? '');
    const rest = parts[parts.length - 1]!;
    const withNamespace = { namespace: ns };
    if (requestKind === 'service') {
      const [name, port] = rest.split(':') as [string, string | undefined];
      const portValue = port === undefined ? undefined : /^\d+$/.test(port) ? Number(port) : port;
      if (name === '' || port === '') {
        throw fail();
      }
      return {
        kind: 'request',
        request: {
          kind: 'service',
          ...withNamespace,
          name,
          ...(portValue === undefined ? {} : { port: portValue }),
        },
      };
    }
    if (requestKind === 'ingress') {
      return { kind: 'request', request: { kind: 'ingress', ...withNamespace, name: rest } };
    }
    // httproute/NAME#2 (or grpcroute/): its second rule (1-based, as the report titles rules).
    const [name, rule] = rest.split('#') as [string, string | undefined];
    if (name === '' || (rule !== undefined && !/^[1-9]\d*$/.test(rule))) {
      throw fail();
    }
    return {
      kind: 'request',
      request: {
        kind: requestKind,
        ...withNamespace,
        name,
        ...(rule === undefined ? {} : { ruleIndex: Number(rule) - 1 }),
      },
    };
  }
  if (/^\[?[^\s/[\]]+?\]?:\d{1,5}$/.test(text)) {
    return { kind: 'text', text };
  }
  if (parts.length >= 2 && /^[^\s:]+\.[^\s:]+(:\d{1,5})?$/.test(parts[0]!)) {
    return { kind: 'text', text };
  }
  throw fail();
}

/** `--via NAMESPACE/GATEWAY`: the Gateway that serves the URL when an Ingress could too. */
export function parseVia(
  text: string | undefined,
): { readonly namespace: string; readonly name: string } | undefined {
  if (text === undefined) {
    return undefined;
  }
  const match = /^([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)$/.exec(text);
  if (match === null) {
    throw usageError('diagnose', `--via takes NAMESPACE/GATEWAY (got "${text}")`);
  }
  return { namespace: match[1]!, name: match[2]! };
}

export function parseClientAddress(text: string | undefined): string | undefined {
  if (text !== undefined && !isValidIp(text)) {
    throw usageError('diagnose', `--from takes an IP address (got "${text}")`);
  }
  return text;
}

export interface ExternalOptions {
  readonly target: ExternalTarget;
  readonly namespace: string | undefined;
  readonly via: { readonly namespace: string; readonly name: string } | undefined;
  readonly clientIp: string | undefined;
  readonly probe: boolean;
  readonly output: 'text' | 'json' | 'markdown';
  readonly noColor: boolean;
  readonly flags: ClusterFlags;
}

export function externalText(report: ExternalReport, clientIp: string | undefined, colors: Colors): string {
  return hopsText(
    `${clientIp === undefined ? 'outside the cluster' : `${clientIp} (outside the cluster)`} → ${report.label}`,
    report.context,
    report.hops,
    report.conclusion,
    colors,
  );
}

export async function diagnoseExternal(options: ExternalOptions, io: CliIo): Promise<number> {
  const opened = await openSession(options.flags, (fallback) => [options.namespace ?? fallback], {
    clusterScoped: true,
  });
  try {
    const namespace = options.namespace ?? opened.defaultNamespace;
    const { target } = options;
    let request: ExternalRequest;
    if (target.kind === 'request') {
      request =
        'namespace' in target.request && target.request.namespace === ''
          ? { ...target.request, namespace }
          : target.request;
    } else {
      const nodes = opened.cache.nodes().map((node) => node.metadata?.name ?? '');
      const parsed = externalRequestFromInput(target.text, nodes);
      if (parsed === undefined) {
        throw usageError('diagnose', `"${target.text}" is not a URL or NODE:PORT`);
      }
      if (parsed.kind === 'url' && /^\[?[^\s/[\]]+?\]?:\d{1,5}$/.test(target.text)) {
        // HOST:PORT that names no node: a typo, far likelier than a URL without a path.
        throw new CliError(
          `"${target.text}" names no node of context "${opened.context}" (nodes: ${nodes.join(', ') || 'none readable'}); a URL needs http://`,
        );
      }
      request = parsed;
    }
    if (options.via !== undefined) {
      if (request.kind !== 'url') {
        throw usageError('diagnose', '--via applies to a URL only');
      }
      request = { ...request, via: { kind: 'gateway', ...options.via } };
    }
    const { ExternalDiagnoser, Prober, forwardThroughPod, readGatewayApi } = opened.layer;
    const session = opened.session;
    const cache = opened.cache;
    const kubeConfig = session.kubeConfig;
    const diagnoser = new ExternalDiagnoser({
      cache,
      ...(options.probe && kubeConfig !== undefined
        ? {
            prober: new Prober({ kubeconfig: kubeConfig }),
            forward: forwardThroughPod({ cache, kubeConfig: () => session.kubeConfig ?? kubeConfig }),
          }
        : {}),
      timeoutMs: 2000,
      watchNamespaces: (names) => session.setAdditionalNamespaces(names, 'diagnosis'),
      // The namespaces a URL may need are read now; a slow cluster is given the request timeout
      // rather than the editor's 5 s (the hops would say "unknown" otherwise).
      syncTimeoutMs: options.flags.timeoutMs,
      ...(kubeConfig === undefined
        ? {}
        : {
            gatewayApi: (cached: Parameters<typeof readGatewayApi>[1]) =>
              readGatewayApi(session.kubeConfig ?? kubeConfig, cached),
          }),
    });
    const report = await diagnoser.diagnose(request, {
      probe: options.probe,
      ...(options.clientIp === undefined ? {} : { clientIp: options.clientIp }),
    });
    // The client address is part of the question: the JSON and the heading say it.
    const shown: ExternalReport & { clientIp?: string } = {
      ...report,
      context: opened.context,
      ...(options.clientIp === undefined ? {} : { clientIp: options.clientIp }),
    };
    switch (options.output) {
      case 'json':
        await io.out(JSON.stringify(redactStrings(shown), null, 2) + '\n');
        break;
      case 'markdown':
        await io.out(externalToMarkdown(shown));
        break;
      default:
        await io.out(externalText(redactStrings(shown), options.clientIp, io.colors(options.noColor)));
    }
    return pathWorks(report.hops, options.probe) ? EXIT_OK : EXIT_FINDINGS;
  } finally {
    opened.dispose();
  }
}
