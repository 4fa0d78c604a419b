/**
 * Which ports to forward. A target with one declared port is forwarded at once; with several, a
 * picker opens with all of them checked (Enter forwards them; Enter with none checked forwards the
 * highlighted row), and "Another port…" is a button in its title bar, not a row to check.
 */
import * as vscode from 'vscode';
import type { PortChoice } from './portChoices.ts';
import { acceptedPorts, parseTypedPort } from './portChoices.ts';

type Item = vscode.QuickPickItem & { readonly choice: PortChoice };

export const ANOTHER_PORT = 'Another port…';

export async function pickForwardPorts(
  target: { readonly kind: 'Pod' | 'Service'; readonly namespace: string; readonly name: string },
  choices: readonly PortChoice[],
): Promise<Array<number | string> | undefined> {
  const title = `Port-forward ${target.kind} ${target.namespace}/${target.name}`;
  if (choices.length === 0) {
    const typed = await askPort(title, target.kind, `${target.kind} ${target.name} declares no ports.`);
    return typed === undefined ? undefined : [typed];
  }
  if (choices.length === 1) {
    return [choices[0]!.remote];
  }
  const picker = vscode.window.createQuickPick<Item>();
  picker.title = title;
  picker.placeholder = 'Enter forwards the checked ports';
  picker.canSelectMany = true;
  picker.matchOnDescription = true;
  picker.ignoreFocusOut = false;
  const items = choices.map((choice) => ({
    label: choice.label,
    description: choice.description,
    choice,
  }));
  picker.items = items;
  picker.selectedItems = items;
  const another: vscode.QuickInputButton = {
    iconPath: new vscode.ThemeIcon('edit'),
    tooltip: ANOTHER_PORT,
  };
  picker.buttons = [another];
  const outcome = await new Promise<'accept' | 'another' | 'cancel'>((resolve) => {
    picker.onDidAccept(() => resolve('accept'));
    picker.onDidTriggerButton((button) => {
      if (button === another) {
        resolve('another');
      }
    });
    picker.onDidHide(() => resolve('cancel'));
    picker.show();
  });
  const remotes = acceptedPorts(
    picker.selectedItems.map((item) => item.choice),
    picker.activeItems.map((item) => item.choice),
  );
  picker.dispose();
  if (outcome === 'cancel') {
    return undefined;
  }
  if (outcome === 'another') {
    const typed = await askPort(title, target.kind);
    return typed === undefined ? undefined : [typed];
  }
  return remotes;
}

async function askPort(
  title: string,
  kind: 'Pod' | 'Service',
  why?: string,
): Promise<number | string | undefined> {
  const typed = await vscode.window.showInputBox({
    title,
    prompt: `${why ? `${why} ` : ''}${kind === 'Service' ? 'Service port' : 'Container port'} (number or name)`,
    validateInput: (text) =>
      parseTypedPort(text) === undefined ? 'A port number (1-65535) or a port name' : undefined,
  });
  return typed === undefined ? undefined : parseTypedPort(typed);
}
