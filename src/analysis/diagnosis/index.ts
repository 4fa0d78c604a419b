/**
 * "Diagnose Connectivity", the pure part: see core.ts for the hops and their order, and the module
 * of each hop family beside it. The conclusion and the hop types are ../hops.ts, shared with the
 * external-access diagnosis (../external/); they are re-exported here for the Pod-to-Service side.
 */
export { diagnoseStatic } from './core.ts';
export { searchPath } from './dns.ts';
export { isPodReady, readiness } from './readiness.ts';
export { podManifest, similarNames, stableLabels } from './wording.ts';
export { HOP_IDS } from './types.ts';
export type * from './types.ts';
export { conclude } from '../hops.ts';
export { list, lowerFirst } from '../sentences.ts';
