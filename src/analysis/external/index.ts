/** "Diagnose External Access", the pure part: see core.ts for the hops and their order. */
export { diagnoseExternal, concludeExternal, orderHops, EXTERNAL_HOP_TITLES } from './core.ts';
export { findControllerPods } from './controller.ts';
export { nodeAddress } from './route.ts';
export { EXTERNAL_HOP_IDS } from './types.ts';
export type * from './types.ts';
export {
  externalRequestFromInput,
  externalRequestFromItem,
  requestText,
  splitClientAddress,
} from './request.ts';
export type { ExternalTreeItem } from './request.ts';
