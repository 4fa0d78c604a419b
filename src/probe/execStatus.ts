/**
 * What an exec came to, from the API server's answers: the `Status` of the error channel (exit
 * code, or the runtime's "executable file not found"), and the HTTP error before the WebSocket
 * upgrade (403 on pods/exec, container not running, Pod gone). Pure: the transport (`exec.ts`)
 * hands the raw answers here.
 */
import { redact } from '../logging/redact.ts';

/** The parts of a `v1.Status` an exec's error channel carries. */
export interface StatusLike {
  readonly status?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly causes?: readonly { readonly reason?: string; readonly message?: string }[] };
}

interface Output {
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from the exec request to its end. */
  readonly elapsedMs: number;
}

/**
 * - `exited`: the command ran and exited with `exitCode`;
 * - `not-started`: the runtime could not start argv[0] (not in the image);
 * - `failed`: the exec could not be run at all (forbidden, container not running, API unreachable);
 * - `timed-out`: the command outlived the timeout plus the margin, and the exec was closed;
 * - `cancelled`: the caller's signal closed it.
 */
export type ExecOutcome =
  | (Output & { readonly kind: 'exited'; readonly exitCode: number })
  | (Output & { readonly kind: 'not-started'; readonly message: string })
  | (Output & { readonly kind: 'failed'; readonly message: string; readonly httpStatus?: number })
  | (Output & { readonly kind: 'timed-out' })
  | (Output & { readonly kind: 'cancelled' });

const RUNTIME_START =
  /OCI runtime exec failed|failed to exec in container|unable to start container process|exec failed/i;
const NOT_FOUND = /executable file not found|no such file or directory|exec format error|permission denied/i;

/** The runtime's sentence, without the API server's wrapping ("Internal error occurred: …"). */
function runtimeMessage(message: string): string {
  const at = message.search(/exec: "/);
  const core = at >= 0 ? message.slice(at) : message;
  return core.replace(/: unknown$/, '');
}

/** The outcome of an exec whose error channel said `status`. */
export function outcomeFromStatus(status: StatusLike, output: Output): ExecOutcome {
  if (status.status === 'Success') {
    return { kind: 'exited', exitCode: 0, ...output };
  }
  const exitCause = status.details?.causes?.find((cause) => cause.reason === 'ExitCode')?.message;
  if (status.reason === 'NonZeroExitCode' && exitCause !== undefined && /^\d+$/.test(exitCause)) {
    return { kind: 'exited', exitCode: Number(exitCause), ...output };
  }
  const message = status.message ?? status.details?.causes?.[0]?.message ?? 'the exec failed';
  if (RUNTIME_START.test(message) && NOT_FOUND.test(message)) {
    return { kind: 'not-started', message: redact(runtimeMessage(message)), ...output };
  }
  return {
    kind: 'failed',
    message: sentence(`The command could not be run: ${message}`),
    ...(status.code !== undefined ? { httpStatus: status.code } : {}),
    ...output,
  };
}

/**
 * Whether argv[0] was missing: the runtime said so (containerd, runc), or a runtime that reports it
 * as exit status 127 (command not found) or 126 (cannot execute) with no output on stdout.
 */
export function toolWasMissing(outcome: ExecOutcome): boolean {
  if (outcome.kind === 'not-started') {
    return true;
  }
  return (
    outcome.kind === 'exited' &&
    (outcome.exitCode === 127 || outcome.exitCode === 126) &&
    outcome.stdout === ''
  );
}

export interface ExecWhere {
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
}

/** One sentence, redacted: the API server's message may echo a credential. */
function sentence(text: string): string {
  const trimmed = redact(text).trim().replace(/\s+/g, ' ');
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function serverMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' && parsed.message !== '' ? parsed.message : undefined;
  } catch {
    const text = body.trim();
    return text === '' || text.length > 300 ? undefined : text;
  }
}

/** The sentence for an exec the API server refused before the upgrade, with its HTTP status. */
export function describeExecRejection(httpStatus: number, body: string, where: ExecWhere): string {
  const pod = `${where.namespace}/${where.pod}`;
  const detail = serverMessage(body);
  switch (httpStatus) {
    case 401:
      return 'The API server rejected the credentials of this context (401 Unauthorized).';
    case 403:
      return sentence(
        `You may not run commands in Pod ${pod} (403 Forbidden on pods/exec)${detail ? `: ${detail}` : ''}`,
      );
    case 404:
      return `Pod ${pod} was not found (it may have been deleted or replaced).`;
    case 400:
      if (detail !== undefined && /container not found|is not valid for pod/i.test(detail)) {
        return sentence(
          `Container ${where.container ?? '(default)'} of Pod ${pod} is not running or does not exist: ${detail}`,
        );
      }
      if (detail !== undefined && /completed pod/i.test(detail)) {
        return sentence(`Pod ${pod} has completed; commands cannot run in it: ${detail}`);
      }
      return sentence(
        `The API server refused to run the command in Pod ${pod}${detail ? `: ${detail}` : ''}`,
      );
    default:
      return sentence(
        `The API server refused to run the command in Pod ${pod} (HTTP ${httpStatus})${detail ? `: ${detail}` : ''}`,
      );
  }
}
