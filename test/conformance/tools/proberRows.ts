/**
 * The prober's command lines, enumerated from its own builders (`buildProbeCommand`, the detection
 * commands), never copied: every branch of the builder is reached by walking tool × protocol × scheme ×
 * insecure × method × `timeout` present, and the distinct argv shapes that come out are the rows' commands.
 * A new option in the builder is a new shape, and the suite runs it.
 */
import { buildProbeCommand, DIRECT_DETECTION, SHELL_DETECTION } from '../../../src/probe/commands.ts';
import type { ProbeCommand } from '../../../src/probe/commands.ts';
import { resolveTarget } from '../../../src/probe/target.ts';
import type { ProbeProtocol, ProbeTarget, ProbeToolName, ResolvedTarget } from '../../../src/probe/types.ts';

/** The probe timeout of every row: 1 s, the least the tools with whole seconds can take. */
export const PROBE_TIMEOUT_MS = 1000;

export interface Shape {
  /** Stable name, e.g. `curl http HEAD`, `nc tcp`, `bash tcp no-timeout`. */
  readonly name: string;
  readonly tool: ProbeToolName;
  readonly protocol: ProbeProtocol;
  readonly scheme: 'http' | 'https';
  readonly insecure: boolean;
  readonly method: string;
  readonly timeoutTool: boolean;
}

export function resolved(target: ProbeTarget): ResolvedTarget {
  const resolution = resolveTarget(target);
  if (!resolution.ok) {
    throw new Error(`the prober rejects the row's target: ${resolution.message}`);
  }
  return resolution.target;
}

function build(shape: Shape, target: ResolvedTarget): ProbeCommand {
  return buildProbeCommand(shape.tool, target, PROBE_TIMEOUT_MS, { timeout: shape.timeoutTool });
}

/** The argv with the target's parts as placeholders: what tells one shape from another. */
function skeleton(command: ProbeCommand, target: ResolvedTarget): string {
  const parts: Array<[string, string]> = [
    [`http://${target.host}:${target.port}/`, '<tcp-url>'],
    [target.url, '<url>'],
    [target.host, '<host>'],
    [String(target.port), '<port>'],
  ];
  return command.argv
    .map((word) => parts.find(([value]) => value === word)?.[1] ?? word)
    .concat(command.stdin === undefined ? [] : ['<stdin>'])
    .join(' ');
}

/** Every distinct command shape `buildProbeCommand` can produce, first seen first. */
export function proberShapes(): Shape[] {
  const seen = new Map<string, Shape>();
  for (const tool of ['curl', 'wget', 'nc', 'bash'] as const) {
    for (const protocol of ['http', 'tcp'] as const) {
      for (const scheme of ['http', 'https'] as const) {
        for (const insecure of [false, true]) {
          for (const method of ['GET', 'HEAD', 'POST']) {
            for (const timeoutTool of [true, false]) {
              const shape: Shape = { name: '', tool, protocol, scheme, insecure, method, timeoutTool };
              const target = shapeTarget(shape, 'example', 8080);
              const key = skeleton(build(shape, target), target);
              if (!seen.has(key)) {
                const name = shapeName(shape, build(shape, target).mode);
                if ([...seen.values()].some((known) => known.name === name)) {
                  throw new Error(`two command shapes are both named "${name}": name them apart`);
                }
                seen.set(key, { ...shape, name });
              }
            }
          }
        }
      }
    }
  }
  return [...seen.values()];
}

function shapeName(shape: Shape, mode: ProbeProtocol): string {
  if (shape.tool === 'bash') {
    return shape.timeoutTool ? 'bash tcp' : 'bash tcp no-timeout';
  }
  if (mode === 'tcp') {
    return `${shape.tool} tcp`;
  }
  const scheme = shape.scheme === 'https' ? (shape.insecure ? 'https-insecure' : 'https') : 'http';
  return shape.tool === 'curl' ? `curl ${scheme} ${shape.method}` : `${shape.tool} ${scheme}`;
}

/** The target of a shape at `host`:`port` with `path`, as the prober resolves it. */
export function shapeTarget(
  shape: Shape,
  host: string,
  port: number,
  path = '/',
  expectedStatus?: number,
): ResolvedTarget {
  return resolved({
    kind: 'address',
    host,
    port,
    protocol: shape.protocol,
    http: {
      method: shape.method,
      path,
      https: shape.scheme === 'https',
      insecure: shape.insecure,
      ...(expectedStatus === undefined ? {} : { expectedStatus }),
    },
  });
}

export function shapeCommand(shape: Shape, target: ResolvedTarget): ProbeCommand {
  return build(shape, target);
}

/** The detection commands the prober runs, as it runs them. */
export const DETECTION_COMMANDS: ReadonlyArray<readonly string[]> = [
  ...SHELL_DETECTION,
  ...Object.values(DIRECT_DETECTION),
];
