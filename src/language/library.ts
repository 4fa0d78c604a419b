/**
 * vscode-languageclient and its protocol libraries, bundled on their own (`dist/languageClient.js`)
 * and required when the first YAML document opens: they are most of what the extension host would
 * otherwise compile at activation, and the explorer never needs them. The custom messages come
 * with them (they are built on vscode-jsonrpc), declared once in `src/shared/messages.ts`.
 */
export { LanguageClient, TransportKind } from 'vscode-languageclient/node';
export { ClusterContextNotification, WorkspaceTrustNotification } from '../shared/messages.ts';
