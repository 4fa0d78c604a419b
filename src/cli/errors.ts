/**
 * The CLI's exit statuses, as linters and kubectl use them, and the one error type that carries
 * one: whatever reaches the top as a `CliError` is printed as one line, never as a stack.
 */

/** 0: done, nothing at or above `--fail-on` (check), the path works (diagnose). */
export const EXIT_OK = 0;
/** 1: findings at or above `--fail-on` (check); the path does not work (diagnose); a pair differs (matrix). */
export const EXIT_FINDINGS = 1;
/** 2: bad usage, a missing path, no or an unreachable cluster, an internal error. */
export const EXIT_ERROR = 2;

export class CliError extends Error {
  readonly exitCode: number;
  /** Printed after the error line (kubectl: "See 'kubectl get -h' for help and examples."). */
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: number; hint?: string } = {}) {
    super(message);
    this.exitCode = options.exitCode ?? EXIT_ERROR;
    this.hint = options.hint;
  }
}

/** A usage error: the command's help hint follows. */
export function usageError(command: string, message: string): CliError {
  return new CliError(message, {
    hint: `See 'kubereach ${command === '' ? '' : `${command} `}--help' for usage.`,
  });
}
