import * as vscode from 'vscode';

/**
 * Typed access to KubeReach's settings, read at the point of use so that a change applies at once.
 * Each setting is declared in package.json (`contributes.configuration`) with its scope.
 */
const SECTION = 'kubereach';

export interface KubeconfigSetting {
  /** The path the user configured, or undefined. */
  readonly path: string | undefined;
  /** True when a path was configured but ignored because the workspace is not trusted. */
  readonly ignoredUntrusted: boolean;
}

/**
 * `kubereach.kubeconfig`. Kubeconfig files can name exec credential plugins, i.e. commands to run,
 * so a path coming from workspace settings is never honoured in an untrusted workspace.
 * The setting is `machine` scoped, which already keeps it out of workspace settings; the trust check
 * is a second lock in case a future version widens the scope.
 */
export function kubeconfigSetting(): KubeconfigSetting {
  const inspected = vscode.workspace.getConfiguration(SECTION).inspect<string>('kubeconfig');
  const fromWorkspace = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
  const fromUser = inspected?.globalValue;
  if (!vscode.workspace.isTrusted) {
    return { path: nonEmpty(fromUser), ignoredUntrusted: nonEmpty(fromWorkspace) !== undefined };
  }
  return { path: nonEmpty(fromWorkspace) ?? nonEmpty(fromUser), ignoredUntrusted: false };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

export interface PortForwardSettings {
  /** `kubereach.portForward.bindAddress`: where local listeners bind (127.0.0.1 unless changed). */
  readonly bindAddress: string;
  /** `kubereach.portForward.restoreOnReload`. */
  readonly restoreOnReload: boolean;
}

export function portForwardSettings(): PortForwardSettings {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const bindAddress = configuration.get<string>('portForward.bindAddress', '127.0.0.1').trim() || '127.0.0.1';
  return { bindAddress, restoreOnReload: configuration.get<boolean>('portForward.restoreOnReload', true) };
}

export interface ProbeSettings {
  readonly timeoutMs: number;
  readonly debugImage: string;
  readonly matrixConcurrency: number;
}

/** `kubereach.probe.*`. */
export function probeSettings(): ProbeSettings {
  const configuration = vscode.workspace.getConfiguration(SECTION);
  const seconds = configuration.get<number>('probe.timeoutSeconds', 5);
  const concurrency = configuration.get<number>('probe.matrixConcurrency', 8);
  return {
    timeoutMs: Math.min(Math.max(seconds, 1), 120) * 1000,
    debugImage:
      configuration.get<string>('probe.debugImage', 'nicolaka/netshoot').trim() || 'nicolaka/netshoot',
    matrixConcurrency: Math.min(Math.max(Math.round(concurrency), 1), 64),
  };
}
