/**
 * The KubeReach language server. It never imports `vscode`: any LSP client can run it with
 * `node dist/server.js --stdio` (or `--node-ipc`, `--socket=N`, as vscode-languageserver reads
 * them from the command line). Diagnostics, hovers and quick fixes for Service and NetworkPolicy
 * manifests; see server.ts.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { redact } from '../logging/redact.ts';
import { ManifestServer } from './server.ts';

/** esbuild replaces `process.env.KUBEREACH_VERSION` with the package version at build time. */
const SERVER_VERSION = process.env.KUBEREACH_VERSION ?? '0.0.0-dev';

const connection = createConnection(ProposedFeatures.all);

// Bad input must never take the server down: whatever escapes a handler is logged, not fatal.
process.on('uncaughtException', (error) => {
  connection.console.error(redact(`Unexpected error: ${error.stack ?? error.message}`));
});
process.on('unhandledRejection', (reason) => {
  connection.console.error(
    redact(
      `Unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    ),
  );
});

new ManifestServer(connection, { version: SERVER_VERSION });
connection.listen();
