/**
 * The KubeReach language server. It never imports `vscode`: any LSP client can run it with
 * `node dist/server.js --stdio`. Diagnostics, hovers and quick fixes arrive with the manifest
 * intelligence issue; for now it starts, answers `initialize`, and shuts down cleanly.
 */
import {
  createConnection,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { InitializationOptions } from '../shared/protocol.ts';

/** esbuild replaces `process.env.KUBEREACH_VERSION` with the package version at build time. */
const SERVER_VERSION = process.env.KUBEREACH_VERSION ?? '0.0.0-dev';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);

connection.onInitialize((params) => {
  const options = params.initializationOptions as Partial<InitializationOptions> | undefined;
  connection.console.info(
    `KubeReach language server started (client ${options?.clientVersion ?? 'unknown'}, Node ${process.version})`,
  );
  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
    serverInfo: { name: 'KubeReach', version: SERVER_VERSION },
  };
});

documents.listen(connection);
connection.listen();
