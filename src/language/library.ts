/**
 * vscode-languageclient and its protocol libraries, bundled on their own (`dist/languageClient.js`)
 * and required when the first YAML document opens: they are most of what the extension host would
 * otherwise compile at activation, and the explorer never needs them.
 */
export { LanguageClient, TransportKind } from 'vscode-languageclient/node';
