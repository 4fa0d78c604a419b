/**
 * `kubereach diagnose SOURCE TARGET`: the hop-by-hop diagnosis of "Diagnose Connectivity", by the
 * extension's own engine (the cluster layer's Diagnoser and Prober, toMarkdown), from a terminal.
 * This module only reads the arguments, picks the source Pod of a workload, and prints.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { DiagnosisTarget } from '../analysis/diagnosis/index.ts';
import { toMarkdown } from '../diagnose/markdown.ts';
import type { DiagnosisReport, DiagnosisSource } from '../diagnose/types.ts';
import { isValidIp } from '../analysis/cidr.ts';
import { redactStrings } from '../logging/redact.ts';
import { booleanFlag, choiceFlag, parse, stringFlag } from './args.ts';
import { CLUSTER_OPTIONS, clusterFlags } from './checkCommand.ts';
import { CliError, EXIT_FINDINGS, EXIT_OK, usageError } from './errors.ts';
import type { CliIo } from './io.ts';
import {
  diagnoseExternal,
  isExternalTarget,
  parseClientAddress,
  parseExternalTarget,
  parseVia,
} from './diagnoseExternal.ts';
import type { ExternalTarget } from './diagnoseExternal.ts';
import { hopsText, pathWorks } from './hopsText.ts';
import { openSession } from './session.ts';
import type { Colors } from './terminal.ts';

export const DIAGNOSE_HELP = `Diagnose why a Pod cannot reach a Service, a Pod or a name, or why a URL does not answer
from outside the cluster, hop by hop.

From a Pod, the same diagnosis as the editor's "Diagnose Connectivity": name and DNS, Service,
selector, EndpointSlices, target port, NetworkPolicy egress and ingress, readiness, then live
probes from inside the source Pod (with the tools its image has).

From outside, the same diagnosis as the editor's "Diagnose External Access": the Ingress or the
Gateway API route (listener, attachment, rule, backendRefs and ReferenceGrants), the
IngressClass, the address, a node port or a load balancer, then the backend Service's hops; live
probes from the controller's or Gateway's Pods to the backends, requests from this machine to the
addresses, and the same request through a port-forward to a ready controller or Gateway Pod (for
a machine that cannot reach the address).

Usage:
  kubereach diagnose SOURCE TARGET [flags]
  kubereach diagnose [CLIENT_IP] URL|NODE:PORT [flags]

SOURCE is a Pod or a workload, kubectl-style: NAMESPACE/POD, POD, pod/NAME, deploy/NAME,
sts/NAME, ds/NAME (the namespace from -n, else the context's). A workload is diagnosed from one
of its Pods, a ready one first.

TARGET is what the application would connect to:
  NAME.NAMESPACE:PORT     a Service (or any name) as the Pod resolves it, e.g. backend.shop:80
  svc/NAME:PORT           a Service in SOURCE's namespace (PORT may be the port's name)
  NAMESPACE/POD:PORT      a Pod and a container port (number or name); also pod/NAME:PORT
  HOST:PORT               a name or an IP

Without SOURCE (or with a client IP address as SOURCE), the request comes from outside:
  http://HOST[:PORT]/PATH a URL served by an Ingress or a Gateway (also HOST/PATH)
  NODE:PORT               a node (its name or address) and a node port
  svc/NAME[:PORT]         a NodePort or LoadBalancer Service (NAMESPACE/svc/NAME, or -n)
  ingress/NAME            an Ingress's first rule (NAMESPACE/ingress/NAME, or -n)
  httproute/NAME[#RULE]   an HTTPRoute's rule, 1-based (NAMESPACE/httproute/NAME, or -n)
  grpcroute/NAME[#RULE]   a GRPCRoute's rule: the gRPC call it stands for (static hops; not probed)

Examples:
  kubereach diagnose shop/frontend backend.shop:80
  kubereach diagnose deploy/frontend -n shop svc/db:postgres --no-probe -o markdown
  kubereach diagnose http://shop.example.com/api
  kubereach diagnose http://store.example.com/api --via infra/public -o json
  kubereach diagnose 203.0.113.7 sandbox-node-1:30080

Flags:
  -n, --namespace NS         the namespace of SOURCE and of svc/, pod/, ingress/, httproute/, grpcroute/ targets
      --no-probe             the static hops only: no command runs in a Pod, no request is sent
      --from IP              the client's address, for a URL or NODE:PORT (loadBalancerSourceRanges
                             and NetworkPolicy ipBlocks are read against it); also as SOURCE
      --via NS/GATEWAY       the Gateway that serves the URL, when an Ingress could too
  -o, --output FORMAT        text (default), json, or markdown (the editor's export)
      --kubeconfig PATH      the kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
      --context NAME         the kubeconfig context (default: its current-context)
      --request-timeout DUR  how long to wait for the cluster (default 30s)
      --no-color             no colours
  -h, --help                 this help

Exit status: 0 the path works (no hop failed and the live probe passed; with --no-probe, every
hop passed), 1 it does not or could not be shown to, 2 an error (bad usage, no such Pod, no or
an unreachable cluster).
`;

const WORKLOAD_KINDS: Readonly<Record<string, string>> = {
  deploy: 'Deployment',
  deployment: 'Deployment',
  deployments: 'Deployment',
  sts: 'StatefulSet',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  ds: 'DaemonSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  rs: 'ReplicaSet',
  replicaset: 'ReplicaSet',
  replicasets: 'ReplicaSet',
};

const POD_KINDS = new Set(['po', 'pod', 'pods']);

export type SourceSpec =
  | { readonly kind: 'pod'; readonly namespace: string | undefined; readonly name: string }
  | {
      readonly kind: 'workload';
      readonly workload: string;
      readonly namespace: string | undefined;
      readonly name: string;
    };

export function parseSource(text: string, namespace: string | undefined): SourceSpec {
  const parts = text.split('/');
  if (parts.some((part) => part === '') || parts.length > 3) {
    throw usageError('diagnose', `SOURCE must be NAMESPACE/POD, POD or KIND/NAME (got "${text}")`);
  }
  if (parts.length === 1) {
    return { kind: 'pod', namespace, name: parts[0]! };
  }
  const [first, second, third] = parts as [string, string, string | undefined];
  const kindOf = (word: string) => word.toLowerCase();
  if (third !== undefined) {
    // NAMESPACE/KIND/NAME
    const kind = kindOf(second);
    if (POD_KINDS.has(kind)) {
      return { kind: 'pod', namespace: first, name: third };
    }
    if (WORKLOAD_KINDS[kind] !== undefined) {
      return { kind: 'workload', workload: WORKLOAD_KINDS[kind], namespace: first, name: third };
    }
    throw usageError('diagnose', `unknown kind "${second}" in SOURCE "${text}"`);
  }
  const kind = kindOf(first);
  if (POD_KINDS.has(kind)) {
    return { kind: 'pod', namespace, name: second };
  }
  if (WORKLOAD_KINDS[kind] !== undefined) {
    return { kind: 'workload', workload: WORKLOAD_KINDS[kind], namespace, name: second };
  }
  return { kind: 'pod', namespace: first, name: second };
}

function splitPort(text: string): { host: string; port: string } {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) {
    throw usageError(
      'diagnose',
      `TARGET needs a port: HOST:PORT, svc/NAME:PORT or NAMESPACE/POD:PORT (got "${text}")`,
    );
  }
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

function portOf(text: string, allowName: boolean): number | string {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port >= 1 && port <= 65535) {
      return port;
    }
  } else if (allowName && /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(text)) {
    return text;
  }
  throw usageError(
    'diagnose',
    `"${text}" is not a port${allowName ? ' number or name' : ' number (1-65535)'}`,
  );
}

export function parseTarget(text: string, namespace: string): DiagnosisTarget {
  if (isExternalTarget(text)) {
    throw usageError(
      'diagnose',
      `a URL is diagnosed from outside the cluster, not from a Pod: give the URL alone ("kubereach diagnose ${text}"), or a client address as SOURCE`,
    );
  }
  const { host, port } = splitPort(text);
  const parts = host.split('/');
  if (parts.length === 2 && parts.every((part) => part !== '')) {
    const [first, second] = parts as [string, string];
    if (['svc', 'service', 'services'].includes(first.toLowerCase())) {
      return { kind: 'service', namespace, name: second, port: portOf(port, true) };
    }
    if (POD_KINDS.has(first.toLowerCase())) {
      return { kind: 'pod', namespace, name: second, port: portOf(port, true) };
    }
    return { kind: 'pod', namespace: first, name: second, port: portOf(port, true) };
  }
  if (parts.length !== 1 || host === '') {
    throw usageError(
      'diagnose',
      `TARGET must be HOST:PORT, svc/NAME:PORT or NAMESPACE/POD:PORT (got "${text}")`,
    );
  }
  return { kind: 'dns', name: host, port: portOf(port, false) as number };
}

function isReady(pod: V1Pod): boolean {
  return (
    pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ===
    true
  );
}

/** One Pod of the workload, a ready one first: by owner (a Deployment owns its Pods through ReplicaSets). */
export function podOfWorkload(pods: readonly V1Pod[], workload: string, name: string): V1Pod | undefined {
  const owned = pods.filter((pod) =>
    (pod.metadata?.ownerReferences ?? []).some((owner) => {
      if (workload === 'Deployment') {
        const hash = pod.metadata?.labels?.['pod-template-hash'];
        return owner.kind === 'ReplicaSet' && hash !== undefined && owner.name === `${name}-${hash}`;
      }
      return owner.kind === workload && owner.name === name;
    }),
  );
  return [...owned].sort(
    (a, b) =>
      Number(isReady(b)) - Number(isReady(a)) ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  )[0];
}

export function diagnosisText(report: DiagnosisReport, colors: Colors): string {
  return hopsText(
    `${report.source.namespace}/${report.source.name} → ${report.targetLabel}`,
    report.context,
    report.hops,
    report.conclusion,
    colors,
  );
}

export async function diagnoseCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse('diagnose', args, {
    namespace: { type: 'string', short: 'n' },
    'no-probe': { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    'no-color': { type: 'boolean' },
    from: { type: 'string' },
    via: { type: 'string' },
    ...CLUSTER_OPTIONS,
  });
  if (booleanFlag(parsed, 'help')) {
    await io.out(DIAGNOSE_HELP);
    return EXIT_OK;
  }
  const output = choiceFlag('diagnose', parsed, 'output', ['text', 'json', 'markdown'] as const, 'text');
  const namespaceFlag = stringFlag(parsed, 'namespace');
  const external = externalOf(parsed.positionals, namespaceFlag, stringFlag(parsed, 'from'));
  if (external !== undefined) {
    return diagnoseExternal(
      {
        ...external,
        namespace: namespaceFlag,
        via: parseVia(stringFlag(parsed, 'via')),
        probe: !booleanFlag(parsed, 'no-probe'),
        output,
        noColor: booleanFlag(parsed, 'no-color'),
        flags: clusterFlags('diagnose', parsed),
      },
      io,
    );
  }
  for (const flag of ['from', 'via']) {
    if (stringFlag(parsed, flag) !== undefined) {
      throw usageError('diagnose', `--${flag} applies to a URL or NODE:PORT target only`);
    }
  }
  if (parsed.positionals.length !== 2) {
    throw usageError(
      'diagnose',
      `diagnose takes SOURCE and TARGET, or one URL or NODE:PORT (got ${parsed.positionals.length} arguments)`,
    );
  }
  const [sourceText, targetText] = parsed.positionals as [string, string];
  const sourceSpec = parseSource(sourceText, namespaceFlag);
  // Parsed before connecting, so that a typo is a usage error rather than a wait for the cluster.
  parseTarget(targetText, sourceSpec.namespace ?? namespaceFlag ?? 'default');
  const flags = clusterFlags('diagnose', parsed);
  const probe = !booleanFlag(parsed, 'no-probe');

  const opened = await openSession(flags, (fallback) => [sourceSpec.namespace ?? namespaceFlag ?? fallback]);
  try {
    const sourceNamespace = sourceSpec.namespace ?? namespaceFlag ?? opened.defaultNamespace;
    const target = parseTarget(targetText, namespaceFlag ?? sourceNamespace);
    const pods = opened.cache.pods(sourceNamespace);
    let source: DiagnosisSource;
    if (sourceSpec.kind === 'workload') {
      const pod = podOfWorkload(pods, sourceSpec.workload, sourceSpec.name);
      if (pod?.metadata?.name === undefined) {
        throw new CliError(
          `no Pod of ${sourceSpec.workload} ${sourceNamespace}/${sourceSpec.name} in context "${opened.context}"`,
        );
      }
      source = { namespace: sourceNamespace, pod: pod.metadata.name };
    } else {
      source = { namespace: sourceNamespace, pod: sourceSpec.name };
    }
    const cache = opened.cache;
    const kubeConfig = cache.kubeConfig;
    const { Diagnoser, Prober, readinessEventReader } = opened.layer;
    const diagnoser = new Diagnoser({
      cache,
      ...(probe && kubeConfig !== undefined ? { prober: new Prober({ kubeconfig: kubeConfig }) } : {}),
      ...(kubeConfig === undefined ? {} : { readinessEvents: readinessEventReader(kubeConfig) }),
      timeoutMs: 2000,
      watchNamespaces: (names) => opened.session.setAdditionalNamespaces(names, 'diagnosis'),
    });
    let report: DiagnosisReport;
    try {
      report = { ...(await diagnoser.diagnose(source, target, { probe })), context: opened.context };
    } catch (error) {
      // The one rejection: the source Pod is not in the cache (a sentence).
      throw new CliError(error instanceof Error ? error.message : String(error));
    }
    switch (output) {
      case 'json':
        await io.out(JSON.stringify(redactStrings(report), null, 2) + '\n');
        break;
      case 'markdown':
        await io.out(toMarkdown(report));
        break;
      default:
        await io.out(diagnosisText(redactStrings(report), io.colors(booleanFlag(parsed, 'no-color'))));
    }
    return pathWorks(report.hops, probe) ? EXIT_OK : EXIT_FINDINGS;
  } finally {
    opened.dispose();
  }
}

/**
 * The outside-in form: one TARGET (a URL, NODE:PORT, svc/ingress/httproute), or a client IP
 * address as SOURCE and a URL; `--from` gives the address too. Undefined: the Pod form.
 */
function externalOf(
  positionals: readonly string[],
  namespace: string | undefined,
  fromFlag: string | undefined,
): { target: ExternalTarget; clientIp: string | undefined } | undefined {
  if (positionals.length === 1) {
    return {
      target: parseExternalTarget(positionals[0]!, namespace),
      clientIp: parseClientAddress(fromFlag),
    };
  }
  if (positionals.length === 2 && isValidIp(positionals[0]!)) {
    if (fromFlag !== undefined) {
      throw usageError('diagnose', 'give the client address once: as SOURCE or with --from');
    }
    return {
      target: parseExternalTarget(positionals[1]!, namespace),
      clientIp: positionals[0]!,
    };
  }
  return undefined;
}
