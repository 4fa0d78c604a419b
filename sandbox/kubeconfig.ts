/** The kubeconfig the sandbox writes: one cluster, one user per identity, context `kubereach-sandbox`. */
import { stringify } from 'yaml';
import type { User } from './cluster.ts';

export const CONTEXT_NAME = 'kubereach-sandbox';

export function kubeconfigYaml(options: {
  server: string;
  caCert: string;
  users: readonly User[];
  currentUser: string;
  namespace?: string;
}): string {
  const contextFor = (user: User) =>
    user.name === options.currentUser ? CONTEXT_NAME : `${CONTEXT_NAME}-${user.name}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: CONTEXT_NAME,
        cluster: {
          server: options.server,
          'certificate-authority-data': Buffer.from(options.caCert).toString('base64'),
        },
      },
    ],
    users: options.users.map((user) => ({ name: user.name, user: { token: user.token } })),
    contexts: options.users.map((user) => ({
      name: contextFor(user),
      context: { cluster: CONTEXT_NAME, user: user.name, namespace: options.namespace ?? 'default' },
    })),
    'current-context': CONTEXT_NAME,
  });
}
