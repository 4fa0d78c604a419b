import * as vscode from 'vscode';
import { redact } from './redact.ts';

/**
 * The extension's one log: a `LogOutputChannel` named KubeReach. Every message passes through
 * `redact` so that a token or key that slipped into an error never reaches the Output panel.
 */
export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;

  constructor(name = 'KubeReach') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  trace(message: string): void {
    this.channel.trace(redact(message));
  }
  info(message: string): void {
    this.channel.info(redact(message));
  }
  warn(message: string): void {
    this.channel.warn(redact(message));
  }
  error(message: string, error?: unknown): void {
    const detail = error === undefined ? '' : `: ${describeError(error)}`;
    this.channel.error(redact(message + detail));
  }

  show(): void {
    this.channel.show(true);
  }

  /** An error the user can act on: logged, and a notification with an "Open Output" button. */
  async notifyError(message: string, error?: unknown): Promise<void> {
    this.error(message, error);
    const choice = await vscode.window.showErrorMessage(redact(message), 'Open Output');
    if (choice === 'Open Output') {
      this.show();
    }
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return typeof error === 'string' ? error : JSON.stringify(error);
}
