/**
 * The extension host's cluster layer, as it loads it: a bundle of its own (`dist/cluster.js`),
 * required on the turn after activation, so that activation compiles only the views and commands.
 * It holds client-node and what works on it (session, forwards, probes, diagnosis), and the YAML
 * library. The extension bundle imports only types from here; features reach this module through
 * `KubeReachContext.layer`.
 */
export { ClusterSession } from './session.ts';
export type { SessionEvent, SessionMemory, SessionSettings } from './session.ts';
export { PortForwardManager } from '../portforward/engine.ts';
export { Prober, toCsv, toMarkdown } from '../probe/index.ts';
export { objectYaml } from './objectYaml.ts';
export {
  Diagnoser,
  ExternalDiagnoser,
  forwardThroughPod,
  cellPods,
  matrixProbeSets,
  overlayProbes,
  policyMatrix,
  readGatewayApi,
  readinessEventReader,
} from '../diagnose/index.ts';
export { definitionLine } from '../analysis/manifests/definition.ts';
