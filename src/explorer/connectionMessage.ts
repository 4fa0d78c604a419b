/**
 * What the explorer says under a context about its connection: one message node for each state
 * but `connected`, with the actions that help (Retry now, Open kubeconfig, Open Output). Pure: the
 * tree view turns it into a node; the clock is passed in for "retrying in Ns".
 */
import type { ConnectionState } from '../cluster/cache.ts';
import type { MessageAction } from './nodes.ts';

export interface ConnectionMessage {
  readonly text: string;
  readonly severity: 'info' | 'warning' | 'error';
  /** The cluster's or the kubeconfig loader's own words (the tree redacts them). */
  readonly detail?: string | undefined;
  readonly actions?: readonly MessageAction[];
}

const OPEN_OUTPUT: MessageAction = { title: 'Open Output', command: 'kubereach.openOutput' };
const RETRY: MessageAction = { title: 'Retry now', command: 'kubereach.refresh' };
const OPEN_KUBECONFIG: MessageAction = { title: 'Open kubeconfig', command: 'kubereach.openKubeconfig' };

/** The message for a connection state; undefined when connected. */
export function connectionMessage(state: ConnectionState, now: number): ConnectionMessage | undefined {
  switch (state.kind) {
    case 'connecting':
      return { text: 'Connecting…', severity: 'info' };
    case 'disconnected': {
      const seconds =
        state.retryAt !== undefined ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : undefined;
      return {
        text: seconds !== undefined ? `Disconnected, retrying in ${seconds}s` : 'Disconnected, retrying',
        severity: 'warning',
        detail: state.message,
        actions: [RETRY, OPEN_OUTPUT],
      };
    }
    case 'unauthorized':
      return {
        text: 'Not authorized (401): check the credentials of this context',
        severity: 'error',
        detail: state.message,
        actions: [RETRY, OPEN_KUBECONFIG, OPEN_OUTPUT],
      };
    case 'tls':
      return {
        text: 'TLS failure: the server certificate could not be verified',
        severity: 'error',
        detail: state.message,
        actions: [RETRY, OPEN_KUBECONFIG, OPEN_OUTPUT],
      };
    case 'forbidden':
      return {
        text: 'Forbidden (403): this identity may not read what is shown',
        severity: 'error',
        detail: state.message,
        actions: [RETRY, OPEN_OUTPUT],
      };
    case 'error':
      return {
        text: state.message ?? 'The cluster could not be read',
        severity: 'error',
        detail: state.message,
        actions: [RETRY, OPEN_OUTPUT],
      };
    case 'connected':
      return undefined;
  }
}
