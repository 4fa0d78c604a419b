/**
 * Everything the extension host runs on client-node, as it loads it: a bundle of its own
 * (`dist/cluster.js`), required after activation, because client-node is most of the extension's
 * code and activation must not wait for it.
 */
export { ClusterSession } from './session.ts';
export type { SessionEvent, SessionMemory, SessionSettings } from './session.ts';
export { PortForwardManager } from '../portforward/engine.ts';
export { Prober, toCsv, toMarkdown } from '../probe/index.ts';
