/**
 * Settings through `workspace/configuration`: per document (section `kubereach`, scoped to the
 * document's URI), cached until the client says they changed, and the window-wide ones (the
 * kubeconfig path). A client that cannot answer `workspace/configuration` gets the defaults, or
 * whatever it pushed in `workspace/didChangeConfiguration`.
 */
import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_SERVER_SETTINGS, SETTINGS_SECTION } from '../shared/protocol.ts';
import type { ServerGlobalSettings, ServerSettings } from '../shared/protocol.ts';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readServerSettings(section: unknown): ServerSettings {
  const value = isRecord(section) ? section : {};
  return {
    clusterAware:
      typeof value.clusterAware === 'boolean' ? value.clusterAware : DEFAULT_SERVER_SETTINGS.clusterAware,
  };
}

export function readGlobalSettings(section: unknown): ServerGlobalSettings {
  const value = isRecord(section) ? section : {};
  return {
    kubeconfig:
      typeof value.kubeconfig === 'string' && value.kubeconfig.trim() !== '' ? value.kubeconfig : undefined,
  };
}

export class SettingsCache {
  private readonly connection: Connection;
  private readonly perDocument = new Map<string, Promise<ServerSettings>>();
  private pulled = false;
  private pushed: unknown;
  private readonly log: (line: string) => void;

  constructor(connection: Connection, log: (line: string) => void) {
    this.connection = connection;
    this.log = log;
  }

  /** Whether the client answers `workspace/configuration` (from its capabilities). */
  enablePull(pull: boolean): void {
    this.pulled = pull;
  }

  /** The document's settings; asks the client once per document until `clear()`. */
  get(uri: string): Promise<ServerSettings> {
    let settings = this.perDocument.get(uri);
    if (settings === undefined) {
      settings = this.pulled
        ? this.connection.workspace
            .getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION })
            .then(readServerSettings, (error: unknown) => {
              this.log(`Could not read settings for ${uri}: ${String(error)}`);
              return DEFAULT_SERVER_SETTINGS;
            })
        : Promise.resolve(readServerSettings(this.pushedSection()));
      this.perDocument.set(uri, settings);
    }
    return settings;
  }

  async global(): Promise<ServerGlobalSettings> {
    if (!this.pulled) {
      return readGlobalSettings(this.pushedSection());
    }
    try {
      return readGlobalSettings(
        await this.connection.workspace.getConfiguration({ section: SETTINGS_SECTION }),
      );
    } catch (error) {
      this.log(`Could not read settings: ${String(error)}`);
      return readGlobalSettings(undefined);
    }
  }

  /** After `workspace/didChangeConfiguration`: forget every cached answer. */
  changed(pushedSettings: unknown): void {
    this.pushed = pushedSettings;
    this.perDocument.clear();
  }

  forget(uri: string): void {
    this.perDocument.delete(uri);
  }

  private pushedSection(): unknown {
    return isRecord(this.pushed) ? this.pushed[SETTINGS_SECTION] : undefined;
  }
}
