/**
 * The differential table: every command shape the prober builds against every situation it can meet,
 * then the command lines users type in `kubectl exec`. A row names its command as the Pod runs it, how
 * the host runs the same binary (busybox applets as `busybox wget`), the sandbox's flavours for that
 * binary, and, for the four probing tools, what `classifyToolResult` needs to give a verdict.
 */
import type { ProbeCommand } from '../../../src/probe/commands.ts';
import type { ResolvedTarget } from '../../../src/probe/types.ts';
import {
  DETECTION_COMMANDS,
  PROBE_TIMEOUT_MS,
  proberShapes,
  resolved,
  shapeCommand,
  shapeTarget,
} from './proberRows.ts';
import type { Shape } from './proberRows.ts';
import { HOST, UNREACHABLE_HOST } from './situations.ts';
import type { Situations } from './situations.ts';
import { userRows } from './userRows.ts';
import { DEBIAN, VARIANTS } from './variants.ts';
import type { Variant } from './variants.ts';

export interface Row {
  /** Stable and unique: the differences table in docs/sandbox-tools.md names rows by it. */
  readonly id: string;
  readonly argv: readonly string[];
  readonly hostArgv?: readonly string[];
  readonly stdin?: string;
  readonly flavours: Readonly<Record<string, string>>;
  /** `exact`: stdout compared byte for byte (curl's timing values masked); `ignore`: versions, help texts. */
  readonly stdout: 'exact' | 'ignore';
  /**
   * `none`: the row runs without a route anywhere. The real tool runs in a fresh network namespace
   * (`unshare -n`: no routes, loopback down), where a connect fails at once with ENETUNREACH; the
   * sandbox's side has a network that answers every connect so (see sides.ts).
   */
  readonly network?: 'none';
  readonly probe?: {
    readonly command: Pick<ProbeCommand, 'tool' | 'mode' | 'toolTimeoutMs'>;
    readonly target: ResolvedTarget;
  };
}

type SituationName =
  | 'ok'
  | 'moved'
  | 'missing'
  | 'unavailable'
  | 'chunked'
  | 'large'
  | 'odd-path'
  | 'name'
  | 'unknown-name'
  | 'closed'
  | 'hang'
  | 'drop'
  | 'reset'
  | 'reset-midway'
  | 'empty'
  | 'not-http'
  | 'tls'
  | 'tls-to-plain'
  | 'unreachable';

/** Host, port, path and expected status of a situation. */
function aim(
  s: Situations,
  situation: SituationName,
): { host: string; port: number; path: string; expected?: number; url?: string } {
  switch (situation) {
    case 'ok':
      return { host: HOST, port: s.http, path: '/ok' };
    case 'moved':
      return { host: HOST, port: s.http, path: '/moved' };
    case 'missing':
      // An expected status makes the 404 the prober's `http-error-status`.
      return { host: HOST, port: s.http, path: '/missing', expected: 200 };
    case 'unavailable':
      return { host: HOST, port: s.http, path: '/unavailable' };
    case 'chunked':
      return { host: HOST, port: s.http, path: '/chunked' };
    case 'large':
      return { host: HOST, port: s.http, path: '/large' };
    case 'odd-path':
      // Typed as a URL: spaces are encoded by the prober, brackets, braces and escapes go as typed.
      return { host: HOST, port: s.http, path: '', url: `http://${HOST}:${s.http}/a b/[1-2]/{x,y}/%41?q=[]` };
    case 'name':
      return { host: 'web', port: s.http, path: '/ok' };
    case 'unknown-name':
      return { host: 'unknown.invalid', port: s.http, path: '/ok' };
    case 'closed':
      return { host: HOST, port: s.closed, path: '/ok' };
    case 'hang':
      return { host: HOST, port: s.hang, path: '/ok' };
    case 'drop':
      return { host: HOST, port: s.drop, path: '/ok' };
    case 'reset':
      return { host: HOST, port: s.reset, path: '/ok' };
    case 'reset-midway':
      return { host: HOST, port: s.resetMidway, path: '/ok' };
    case 'empty':
      return { host: HOST, port: s.empty, path: '/ok' };
    case 'not-http':
      return { host: HOST, port: s.notHttp, path: '/ok' };
    case 'tls':
      return { host: HOST, port: s.tls, path: '/ok' };
    case 'tls-to-plain':
      return { host: HOST, port: s.http, path: '/ok' };
    case 'unreachable':
      // Run with `network: 'none'`: no route to any address, this one included.
      return { host: UNREACHABLE_HOST, port: 8080, path: '/ok' };
  }
}

const HTTP_SITUATIONS: readonly SituationName[] = [
  'ok',
  'moved',
  'missing',
  'unavailable',
  'chunked',
  'large',
  'odd-path',
  'name',
  'unknown-name',
  'closed',
  'hang',
  'drop',
  'reset',
  'reset-midway',
  'empty',
  'not-http',
  'unreachable',
];
const HTTPS_SITUATIONS: readonly SituationName[] = ['tls', 'tls-to-plain', 'unreachable'];
const TCP_SITUATIONS: readonly SituationName[] = [
  'ok',
  'name',
  'unknown-name',
  'closed',
  'hang',
  'drop',
  'not-http',
  'unreachable',
];

function situationsOf(shape: Shape, mode: 'http' | 'tcp'): readonly SituationName[] {
  if (mode === 'tcp') {
    // Without `timeout`, bash waits for the kernel's SYN retries (minutes): the prober bounds it by
    // closing the exec, which this table cannot compare; the other situations end on their own.
    return shape.tool === 'bash' && !shape.timeoutTool
      ? TCP_SITUATIONS.filter((name) => name !== 'drop')
      : TCP_SITUATIONS;
  }
  return shape.scheme === 'https' ? HTTPS_SITUATIONS : HTTP_SITUATIONS;
}

function variantsOf(shape: Shape): readonly Variant[] {
  if (shape.tool === 'bash') {
    return shape.timeoutTool ? VARIANTS.timeout! : VARIANTS.curl!;
  }
  return VARIANTS[shape.tool]!;
}

function proberRows(s: Situations): Row[] {
  const rows: Row[] = [];
  for (const shape of proberShapes()) {
    const mode = shapeCommand(shape, shapeTarget(shape, HOST, 1)).mode;
    for (const situation of situationsOf(shape, mode)) {
      const where = aim(s, situation);
      const target =
        where.url !== undefined
          ? resolved({ kind: 'url', url: where.url, http: { method: shape.method } })
          : shapeTarget(shape, where.host, where.port, where.path, where.expected);
      const command = shapeCommand(shape, target);
      for (const variant of variantsOf(shape)) {
        rows.push({
          id: `${shape.name}${variant.label} @ ${situation}`,
          argv: command.argv,
          hostArgv: variant.host(command.argv),
          ...(command.stdin === undefined ? {} : { stdin: command.stdin }),
          flavours: variant.flavours,
          stdout: 'exact',
          ...(situation === 'unreachable' ? { network: 'none' as const } : {}),
          probe: { command, target },
        });
      }
    }
  }
  return rows;
}

function detectionRows(): Row[] {
  return DETECTION_COMMANDS.map((argv) => ({
    id: `detect: ${argv.slice(0, 2).join(' ')}`,
    argv,
    flavours: { ...DEBIAN, wget: 'gnu', nc: 'openbsd', nslookup: 'bind' },
    // `--version` and `-h` print the build's own text; the prober only asks whether the tool started.
    stdout: argv.length === 2 ? 'ignore' : 'exact',
  }));
}

/** The whole table, with the situations' ports filled in. */
export function allRows(s: Situations): Row[] {
  const rows = [...proberRows(s), ...detectionRows(), ...userRows(s)];
  const ids = new Set<string>();
  for (const row of rows) {
    if (ids.has(row.id)) {
      throw new Error(`two rows share the id "${row.id}"`);
    }
    ids.add(row.id);
  }
  return rows;
}

export { PROBE_TIMEOUT_MS };
