/**
 * The port-forward engine's integration suites, run one after the other in one process; each
 * starts a sandbox of its own (in its own random address block) and stops it before the next starts.
 */
import './minimal.suite.ts';
import './reconnect.suite.ts';
import './pending.suite.ts';
import './multiplex.suite.ts';
import './twoNodes.suite.ts';
