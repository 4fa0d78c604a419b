import * as vscode from 'vscode';
import type { KubeReachContext } from './context.ts';

/**
 * Every command KubeReach registers, in one table. Titles, categories, icons and `when` clauses
 * live beside them in package.json (`contributes.commands` and `menus`); a unit test checks that
 * the two agree.
 */
export const COMMANDS: Readonly<Record<string, (context: KubeReachContext, ...args: unknown[]) => unknown>> =
  {
    'kubereach.openOutput': (context) => context.log.show(),
  };

export function registerCommands(context: KubeReachContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, handler]) =>
    vscode.commands.registerCommand(id, (...args: unknown[]) => handler(context, ...args)),
  );
}
