import * as vscode from 'vscode';
import type { KubeReachContext } from './context.ts';
import { DIAGNOSE_COMMANDS } from './diagnose/diagnoseCommands.ts';
import { EXPLORER_COMMANDS } from './explorer/commands.ts';
import { PORT_FORWARD_COMMANDS } from './portforward/commands.ts';
import { PROBE_COMMANDS } from './probe/probeCommands.ts';

/**
 * Every command KubeReach registers, in one table. Titles, categories, icons and `when` clauses
 * live beside them in package.json (`contributes.commands` and `menus`); a unit test checks that
 * the two agree.
 */
export const COMMANDS: Readonly<Record<string, (context: KubeReachContext, ...args: unknown[]) => unknown>> =
  {
    'kubereach.openOutput': (context) => context.log.show(),
    ...EXPLORER_COMMANDS,
    ...PORT_FORWARD_COMMANDS,
    ...PROBE_COMMANDS,
    ...DIAGNOSE_COMMANDS,
  };

export function registerCommands(context: KubeReachContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(context, ...args);
      } catch (error) {
        // A command never lets an error escape to the extension host; the user gets a plain message.
        await context.log.notifyError(
          `${id} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      }
    }),
  );
}
