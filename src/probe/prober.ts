/**
 * The probe engine: runs a probe from inside a Pod and says what happened.
 *
 * 1. The target is resolved (`target.ts`); the source Pod is read once and its container chosen.
 * 2. The container's tools are detected with one cheap exec, cached per image (`detect.ts`).
 * 3. The best tool for the target is chosen; when the container has none, a running ephemeral
 *    debug container of the Pod (added earlier by `addDebugContainer`) is used instead, else the
 *    verdict is `no-tool` with a suggestion to add one (the UI asks the user first).
 * 4. The command (an argument vector, `commands.ts`) runs through client-node's `Exec`, bounded by
 *    the tool's own timeout and by closing the exec after that timeout plus a margin.
 * 5. Exit status and output become a verdict, a sentence, timings (`classify.ts`), and the result
 *    keeps the exact argv, a copyable `kubectl exec` line and the raw output.
 *
 * `runMatrix` runs every source against every target with bounded concurrency and cancellation
 * (`matrix.ts`). No `vscode`: the UI is built on `probe`, `runMatrix` and `addDebugContainer`.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { classifyError } from '../cluster/errors.ts';
import { classifyToolResult, isReachable } from './classify.ts';
import type { Classification } from './classify.ts';
import { buildProbeCommand, DIRECT_DETECTION, kubectlCommand, SHELL_DETECTION } from './commands.ts';
import type { ProbeCommand } from './commands.ts';
import { addDebugContainer } from './debugContainer.ts';
import type { AddDebugContainerOptions, DebugContainer, PodReference } from './debugContainer.ts';
import { DEBUG_CONTAINER_PREFIX, DEFAULT_DEBUG_IMAGE, findDebugContainer } from './debugSpec.ts';
import type { PodLike } from './debugSpec.ts';
import { chooseTool, describeTools, directDetection, parseDetectionOutput } from './detect.ts';
import { ClientNodeExecTransport } from './exec.ts';
import type { ExecTransport } from './exec.ts';
import { toolWasMissing } from './execStatus.ts';
import type { ExecOutcome } from './execStatus.ts';
import { runMatrix } from './matrix.ts';
import { redact, redactProbeResult } from './redaction.ts';
import type { MatrixGrid, MatrixOptions } from './matrix.ts';
import { resolveTarget } from './target.ts';
import type {
  ProbeResult,
  ProbeSource,
  ProbeTarget,
  ProbeToolName,
  ProbeVerdict,
  ResolvedTarget,
  ToolSet,
} from './types.ts';

export const DEFAULT_PROBE_TIMEOUT_MS = 5000;
/** How long past the tool's own timeout the exec is kept before it is closed. */
export const DEFAULT_EXEC_MARGIN_MS = 2000;
/** Tool detection is one `command -v`: it gets this long. */
const DETECTION_DEADLINE_MS = 10_000;

export interface ProberOptions {
  readonly kubeconfig: KubeConfig;
  /** Default: client-node's `Exec` with this kubeconfig. */
  readonly transport?: ExecTransport;
  /** The ephemeral debug container image (the `kubereach` setting); default `nicolaka/netshoot`. */
  readonly debugImage?: string;
  /** Per-probe timeout; default 5 s. */
  readonly timeoutMs?: number;
  /** Extra time before the exec is closed; default 2 s. */
  readonly marginMs?: number;
}

export interface ProbeOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** The source Pod as the caller already has it (from the cache); read from the API otherwise. */
  readonly pod?: V1Pod;
}

type Located =
  | { readonly ok: true; readonly pod: V1Pod; readonly container: string; readonly image: string }
  | { readonly ok: false; readonly message: string };

type Locate = (source: ProbeSource, pod: V1Pod | undefined) => Promise<Located>;

interface Place {
  readonly container: string;
  readonly image: string;
  readonly debug: boolean;
}

class Cancelled extends Error {}

class DetectionFailure extends Error {
  readonly outcome: ExecOutcome;
  constructor(outcome: ExecOutcome, message: string) {
    super(message);
    this.outcome = outcome;
  }
}

/** Waits for `promise`, or rejects with `Cancelled` as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) {
    return promise;
  }
  if (signal.aborted) {
    return Promise.reject(new Cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function fallbackLabel(target: ProbeTarget): string {
  if (target.label !== undefined) {
    return target.label;
  }
  switch (target.kind) {
    case 'pod':
      return `${target.namespace}/${target.name}:${target.port}`;
    case 'service':
      return `${target.name}.${target.namespace}:${target.port}`;
    case 'url':
      return target.url;
    case 'address':
      return `${target.host}:${target.port}`;
  }
}

export function sourceLabel(source: ProbeSource): string {
  return `${source.namespace}/${source.pod}${source.container !== undefined ? ` (${source.container})` : ''}`;
}

/** How a target is shown (a matrix column): credentials in a typed URL are redacted. */
export function targetLabel(target: ProbeTarget): string {
  const resolved = resolveTarget(target);
  return redact(resolved.ok ? resolved.target.label : fallbackLabel(target));
}

/** Tools are cached per image; a container without one (never on a real cluster) keys on itself. */
function toolKey(namespace: string, pod: string, place: Omit<Place, 'debug'>): string {
  return place.image !== '' ? place.image : `${namespace}/${pod}/${place.container}`;
}

function seconds(ms: number): string {
  return `${Math.round(ms) / 1000} s`;
}

export class Prober {
  readonly kubeconfig: KubeConfig;
  readonly transport: ExecTransport;
  readonly debugImage: string;
  readonly timeoutMs: number;
  readonly marginMs: number;
  private readonly core: CoreV1Api;
  /** Tool detection per container image. */
  private readonly toolCache = new Map<string, Promise<ToolSet>>();

  constructor(options: ProberOptions) {
    this.kubeconfig = options.kubeconfig;
    this.transport = options.transport ?? new ClientNodeExecTransport(options.kubeconfig);
    this.debugImage = options.debugImage ?? DEFAULT_DEBUG_IMAGE;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.marginMs = options.marginMs ?? DEFAULT_EXEC_MARGIN_MS;
    this.core = options.kubeconfig.makeApiClient(CoreV1Api);
  }

  /** Probes `target` from `source`. Never rejects: every failure is a verdict. */
  probe(source: ProbeSource, target: ProbeTarget, options: ProbeOptions = {}): Promise<ProbeResult> {
    return this.run(source, target, options, (s, pod) => this.locate(s, pod));
  }

  /** Every source against every target (see `runMatrix` in matrix.ts); each source Pod is read once. */
  runMatrix(
    sources: readonly ProbeSource[],
    targets: readonly ProbeTarget[],
    options: MatrixOptions = {},
  ): Promise<MatrixGrid> {
    const located = new Map<string, Promise<Located>>();
    const locate: Locate = (source, pod) => {
      const key = `${source.namespace}/${source.pod}/${source.container ?? ''}`;
      let entry = located.get(key);
      if (entry === undefined) {
        entry = this.locate(source, pod);
        located.set(key, entry);
      }
      return entry;
    };
    return runMatrix(sources, targets, {
      ...options,
      probe: (source, target, context) =>
        this.run(
          source,
          target,
          {
            signal: context.signal,
            ...(context.timeoutMs !== undefined ? { timeoutMs: context.timeoutMs } : {}),
          },
          locate,
        ),
      sourceLabel,
      targetLabel,
    });
  }

  /** Adds (or reuses) an ephemeral debug container in the Pod; later probes from the Pod use it. */
  addDebugContainer(
    pod: PodReference,
    image: string = this.debugImage,
    options: AddDebugContainerOptions = {},
  ): Promise<DebugContainer> {
    return addDebugContainer(this.kubeconfig, pod, image, options);
  }

  /** What the source's container has to probe with (cached per image). Rejects when it cannot be run. */
  async detectTools(source: ProbeSource): Promise<ToolSet> {
    const located = await this.locate(source, undefined);
    if (!located.ok) {
      throw new Error(located.message);
    }
    return this.toolsFor(source.namespace, source.pod, located, undefined);
  }

  /** Forgets detected tools (of one image, or all), e.g. after an image changed under the same tag. */
  forgetTools(image?: string): void {
    if (image === undefined) {
      this.toolCache.clear();
    } else {
      this.toolCache.delete(image);
    }
  }

  // --- steps --------------------------------------------------------------------------------------

  private async locate(source: ProbeSource, given: V1Pod | undefined): Promise<Located> {
    const where = `${source.namespace}/${source.pod}`;
    let pod = given;
    if (pod === undefined) {
      try {
        pod = await this.core.readNamespacedPod({ namespace: source.namespace, name: source.pod });
      } catch (error) {
        const classified = classifyError(error, { resource: `pod ${where}` });
        return {
          ok: false,
          message:
            classified.kind === 'not-found'
              ? `Pod ${where} was not found (it may have been deleted or replaced).`
              : `Pod ${where} could not be read: ${classified.message}`,
        };
      }
    }
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
    // As kubectl does: the container named by the default-container annotation, else the first one.
    const annotated = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
    const name =
      source.container ??
      (annotated !== undefined && pod.spec?.containers?.some((c) => c.name === annotated)
        ? annotated
        : pod.spec?.containers?.[0]?.name);
    const container = containers.find((c) => c.name === name);
    if (name === undefined || container === undefined) {
      return { ok: false, message: `Pod ${where} has no container named ${name ?? '(none)'}.` };
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      return {
        ok: false,
        message: `Pod ${where} has ${phase === 'Succeeded' ? 'completed' : 'failed'}: commands cannot run in it.`,
      };
    }
    const status = [
      ...(pod.status?.containerStatuses ?? []),
      ...(pod.status?.ephemeralContainerStatuses ?? []),
    ].find((s) => s.name === name);
    if (phase === 'Pending' || (status !== undefined && !status.state?.running)) {
      const why =
        status?.state?.waiting?.reason ??
        (status?.state?.terminated
          ? `terminated: ${status.state.terminated.reason ?? 'exited'}`
          : undefined) ??
        phase ??
        'not started';
      return { ok: false, message: `Container ${name} of Pod ${where} is not running (${why}).` };
    }
    return { ok: true, pod, container: name, image: container.image ?? '' };
  }

  private toolsFor(
    namespace: string,
    pod: string,
    place: Omit<Place, 'debug'>,
    signal: AbortSignal | undefined,
  ): Promise<ToolSet> {
    const key = toolKey(namespace, pod, place);
    let entry = this.toolCache.get(key);
    if (entry === undefined) {
      const detection = this.detect(namespace, pod, place.container);
      entry = detection;
      this.toolCache.set(key, detection);
      detection.catch(() => {
        if (this.toolCache.get(key) === detection) {
          this.toolCache.delete(key);
        }
      });
    }
    return untilAborted(entry, signal);
  }

  private async detect(namespace: string, pod: string, container: string): Promise<ToolSet> {
    const run = (argv: readonly string[]) =>
      this.transport.exec({ namespace, pod, container, argv, deadlineMs: DETECTION_DEADLINE_MS });
    const fail = (outcome: ExecOutcome): never => {
      throw new DetectionFailure(
        outcome,
        outcome.kind === 'failed'
          ? outcome.message
          : outcome.kind === 'timed-out'
            ? `Detecting the tools of container ${container} of Pod ${namespace}/${pod} did not finish in ${seconds(DETECTION_DEADLINE_MS)}.`
            : 'Tool detection was cancelled.',
      );
    };
    for (const argv of SHELL_DETECTION) {
      const outcome = await run(argv);
      if (toolWasMissing(outcome)) {
        continue;
      }
      if (outcome.kind !== 'exited') {
        return fail(outcome);
      }
      return parseDetectionOutput(outcome.stdout, argv[0] as 'sh' | 'bash');
    }
    // No shell at all (distroless): start each tool on its own.
    const started = await Promise.all(
      (Object.keys(DIRECT_DETECTION) as Array<keyof typeof DIRECT_DETECTION>).map(async (tool) => {
        const outcome = await run(DIRECT_DETECTION[tool]);
        if (toolWasMissing(outcome)) {
          return [tool, false] as const;
        }
        return outcome.kind === 'exited' ? ([tool, true] as const) : fail(outcome);
      }),
    );
    const found = Object.fromEntries(started) as Record<keyof typeof DIRECT_DETECTION, boolean>;
    return directDetection(found);
  }

  /** A running ephemeral container to probe from: of the debug image, else one KubeReach added. */
  private debugPlace(pod: PodLike): Place | undefined {
    const byImage = findDebugContainer(pod, this.debugImage);
    const name =
      byImage ??
      (pod.spec?.ephemeralContainers ?? [])
        .filter((c) => c.name.startsWith(DEBUG_CONTAINER_PREFIX))
        .map((c) => c.name)
        .reverse()
        .find((n) =>
          pod.status?.ephemeralContainerStatuses?.some(
            (s) => s.name === n && s.state?.running !== undefined && s.state.running !== null,
          ),
        );
    const spec = (pod.spec?.ephemeralContainers ?? []).find((c) => c.name === name);
    return name === undefined || spec === undefined
      ? undefined
      : { container: name, image: spec.image ?? '', debug: true };
  }

  private async run(
    source: ProbeSource,
    target: ProbeTarget,
    options: ProbeOptions,
    locate: Locate,
  ): Promise<ProbeResult> {
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const signal = options.signal;
    const timeoutMs = Math.max(1, options.timeoutMs ?? this.timeoutMs);
    const resolution = resolveTarget(target);
    let place: Place | undefined;
    let image: string | undefined;
    const make = (
      verdict: ProbeVerdict,
      message: string,
      extra: Partial<Omit<ProbeResult, 'verdict' | 'message' | 'reachable'>> = {},
    ): ProbeResult =>
      // Every text of the result is shown somewhere: a typed URL's userinfo or a credential an
      // error echoes must not be kept in it.
      redactProbeResult({
        source: {
          namespace: source.namespace,
          pod: source.pod,
          ...(place !== undefined
            ? { container: place.container }
            : source.container !== undefined
              ? { container: source.container }
              : {}),
          ...(image !== undefined && image !== '' ? { image } : {}),
          debugContainer: place?.debug === true,
        },
        target: resolution.ok
          ? {
              label: resolution.target.label,
              protocol: resolution.target.protocol,
              host: resolution.target.host,
              port: resolution.target.port,
              ...(resolution.target.protocol === 'http' ? { url: resolution.target.url } : {}),
            }
          : { label: fallbackLabel(target), protocol: target.protocol ?? 'http', host: '', port: 0 },
        verdict,
        reachable: isReachable(verdict),
        message,
        ...(resolution.ok && resolution.target.expectedStatus !== undefined
          ? { expectedStatus: resolution.target.expectedStatus }
          : {}),
        elapsedMs: Math.round(performance.now() - t0),
        stdout: '',
        stderr: '',
        notes: [],
        startedAt,
        ...extra,
      });
    const cancelled = (): ProbeResult => make('cancelled', 'The probe was cancelled.');

    if (!resolution.ok) {
      return make('invalid-target', resolution.message);
    }
    const resolved = resolution.target;
    if (signal?.aborted) {
      return cancelled();
    }
    let located: Located;
    try {
      located = await untilAborted(locate(source, options.pod), signal);
    } catch (error) {
      return error instanceof Cancelled
        ? cancelled()
        : make('exec-failed', error instanceof Error ? error.message : String(error));
    }
    if (!located.ok) {
      return make('exec-failed', located.message);
    }
    place = { container: located.container, image: located.image, debug: false };
    image = located.image;

    for (let attempt = 0; ; attempt++) {
      let tools: ToolSet;
      let tool: ProbeToolName | undefined;
      try {
        tools = await this.toolsFor(source.namespace, source.pod, place, signal);
        tool = chooseTool(tools, resolved);
        if (tool === undefined && !place.debug) {
          const debug = this.debugPlace(located.pod);
          if (debug !== undefined) {
            place = debug;
            image = debug.image;
            tools = await this.toolsFor(source.namespace, source.pod, debug, signal);
            tool = chooseTool(tools, resolved);
          }
        }
      } catch (error) {
        if (error instanceof Cancelled) {
          return cancelled();
        }
        if (error instanceof DetectionFailure && error.outcome.kind === 'cancelled') {
          return cancelled();
        }
        return make('exec-failed', error instanceof Error ? error.message : String(error));
      }
      if (tool === undefined) {
        return this.noTool(make, source, place, tools);
      }
      const command = buildProbeCommand(tool, resolved, timeoutMs, tools);
      const outcome = await this.transport.exec({
        namespace: source.namespace,
        pod: source.pod,
        container: place.container,
        argv: command.argv,
        ...(command.stdin !== undefined ? { stdin: command.stdin } : {}),
        deadlineMs: command.toolTimeoutMs + this.marginMs,
        ...(signal !== undefined ? { signal } : {}),
      });
      if (toolWasMissing(outcome) && attempt === 0) {
        // The image changed under its tag, or detection was wrong: detect again, once.
        this.toolCache.delete(toolKey(source.namespace, source.pod, place));
        continue;
      }
      return this.fromOutcome(make, source, place, resolved, command, outcome);
    }
  }

  private noTool(
    make: (verdict: ProbeVerdict, message: string, extra?: Partial<ProbeResult>) => ProbeResult,
    source: ProbeSource,
    place: Place,
    tools: ToolSet,
  ): ProbeResult {
    const where = `${source.namespace}/${source.pod}`;
    const what = `Container ${place.container} of Pod ${where}${place.image !== '' ? ` (image ${place.image})` : ''}`;
    if (place.debug) {
      return make('no-tool', `${what} has ${describeTools(tools)} to probe with.`);
    }
    return make('no-tool', `${what} has ${describeTools(tools)} to probe with.`, {
      suggestion: {
        kind: 'add-debug-container',
        image: this.debugImage,
        message: `Add an ephemeral debug container (${this.debugImage}) to Pod ${where} and probe from it? Ephemeral containers cannot be removed: it stays until the Pod is deleted.`,
      },
    });
  }

  private fromOutcome(
    make: (verdict: ProbeVerdict, message: string, extra?: Partial<ProbeResult>) => ProbeResult,
    source: ProbeSource,
    place: Place,
    target: ResolvedTarget,
    command: ProbeCommand,
    outcome: ExecOutcome,
  ): ProbeResult {
    const context = this.kubeconfig.getCurrentContext();
    const notes = [
      ...(place.debug
        ? [`Probed from the ephemeral debug container ${place.container} (${place.image}).`]
        : []),
      ...command.notes,
    ];
    const common: Partial<ProbeResult> = {
      tool: command.tool,
      argv: command.argv,
      ...(command.stdin !== undefined ? { stdin: command.stdin } : {}),
      command: kubectlCommand(
        {
          namespace: source.namespace,
          pod: source.pod,
          container: place.container,
          ...(context ? { context } : {}),
        },
        command.argv,
        command.stdin,
      ),
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      elapsedMs: outcome.elapsedMs,
      notes,
    };
    let classification: Classification;
    switch (outcome.kind) {
      case 'exited':
        classification = classifyToolResult({
          command,
          target,
          exitCode: outcome.exitCode,
          stdout: outcome.stdout,
          stderr: outcome.stderr,
          elapsedMs: outcome.elapsedMs,
        });
        return make(classification.verdict, classification.message, {
          ...common,
          exitCode: outcome.exitCode,
          ...(classification.httpStatus !== undefined ? { httpStatus: classification.httpStatus } : {}),
          ...(classification.timings !== undefined ? { timings: classification.timings } : {}),
        });
      case 'timed-out':
        return make(
          'timeout',
          `No answer from ${target.host}:${target.port} within ${seconds(command.toolTimeoutMs)}; ${command.tool} did not stop by itself, so the exec was closed after ${seconds(command.toolTimeoutMs + this.marginMs)}.`,
          common,
        );
      case 'cancelled':
        return make('cancelled', 'The probe was cancelled.', common);
      case 'failed':
        return make('exec-failed', outcome.message, common);
      case 'not-started':
        return make(
          'no-tool',
          `${command.tool} is not in container ${place.container} of Pod ${source.namespace}/${source.pod} (${outcome.message}).`,
          common,
        );
    }
  }
}
