/**
 * An extension's activation time as the extension host itself measures it, and the wait for a
 * settled workbench before an activation worth timing. Used by the end-to-end suite and by
 * bench/vscode-activation.bench.ts.
 *
 * The time is what "Developer: Show Running Extensions" shows: the host's code loading of the
 * extension's `main` plus its `activate` call. Both are wall-clock times taken in the extension
 * host, so at workbench start-up they also hold whatever else the host and the machine are doing
 * then (the built-in extensions loading beside it); hence the settled wait.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** The concatenated extension host logs of a code-server user-data folder's `logs/`. */
export function extensionHostLog(logsDir: string): string {
  const logs: string[] = [];
  const visit = (dir: string) => {
    if (!existsSync(dir)) {
      return;
    }
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        visit(path);
      } else if (entry === 'remoteexthost.log' || entry === 'exthost.log') {
        logs.push(readFileSync(path, 'utf8'));
      }
    }
  };
  visit(logsDir);
  return logs.join('\n');
}

export interface ActivationRecord {
  readonly extensionId: string;
  /** True only for `*` activations at start-up; an activation by a restored view is not one. */
  readonly startup: boolean;
  readonly event: string;
}

/** Each extension activation the host logged (at its default info level), in order. */
export function activationRecords(logsDir: string): ActivationRecord[] {
  const pattern =
    /ExtensionService#_doActivateExtension (\S+), startup: (true|false), activationEvent: '([^']*)'/g;
  return [...extensionHostLog(logsDir).matchAll(pattern)].map((match) => ({
    extensionId: match[1]!,
    startup: match[2] === 'true',
    event: match[3]!,
  }));
}

/** The machine's CPU time so far, all cores, busy and in all, from /proc/stat (in clock ticks). */
function cpuTimes(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** The busy fraction of all cores over the next `windowMs`. */
async function busyFraction(windowMs: number): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = cpuTimes();
  const total = after.total - before.total;
  return total === 0 ? 0 : (after.busy - before.busy) / total;
}

export interface Settled {
  /** ms from the call until the host logged "Eager extensions activated". */
  readonly eagerMs: number;
  /** ms from the call until the machine was quiet, or undefined if it never was within the bound. */
  readonly quietMs: number | undefined;
  /** The busy fraction of the last window. */
  readonly busy: number;
}

/**
 * Waits until the extension host has activated its eager (`*`) extensions, then until the machine
 * is quiet: under `maxBusy` of all cores busy over one `windowMs` window. Bounded by `timeoutMs`;
 * a machine that never quiets down is reported (quietMs undefined), not waited on forever.
 */
export async function waitForSettledWorkbench(
  logsDir: string,
  options: { maxBusy?: number; windowMs?: number; timeoutMs?: number } = {},
): Promise<Settled> {
  const { maxBusy = 0.15, windowMs = 500, timeoutMs = 60_000 } = options;
  const start = performance.now();
  const deadline = start + timeoutMs;
  while (!extensionHostLog(logsDir).includes('Eager extensions activated')) {
    if (performance.now() > deadline) {
      throw new Error(`the extension host did not activate its eager extensions within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const eagerMs = performance.now() - start;
  let busy = 1;
  while (performance.now() < deadline) {
    busy = await busyFraction(windowMs);
    if (busy <= maxBusy) {
      return { eagerMs, quietMs: performance.now() - start, busy };
    }
  }
  return { eagerMs, quietMs: undefined, busy };
}

export interface RuntimeActivation {
  /** Code loading + activate call, in ms, as the host measured them. */
  readonly ms: number;
  readonly startup: boolean;
}

/** Opens "Developer: Show Running Extensions" and reads the activation time of each named extension. */
export async function runningExtensionActivations(
  page: Page,
  displayNames: readonly string[],
): Promise<Map<string, RuntimeActivation>> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill('>Developer: Show Running Extensions');
  await page
    .locator('.quick-input-widget .monaco-list-row', { hasText: 'Show Running Extensions' })
    .first()
    .waitFor();
  await page.keyboard.press('Enter');
  const list = page.locator('.runtime-extensions-editor .monaco-list');
  await list.waitFor();
  const result = new Map<string, RuntimeActivation>();
  for (const name of displayNames) {
    const time = page
      .locator('.runtime-extensions-editor .monaco-list-row', { hasText: name })
      .first()
      .locator('.activation-time');
    // The list is virtualised, sorted slowest first: walk it with the keyboard (the focused row is
    // always rendered) until the row shows a time rather than "Activating...".
    await list.focus();
    await page.keyboard.press('Home');
    const deadline = performance.now() + 30_000;
    let text = '';
    for (let steps = 0; performance.now() < deadline;) {
      if ((await time.count()) === 0) {
        if (++steps > 200) {
          break;
        }
        await page.keyboard.press('ArrowDown');
        continue;
      }
      text = (await time.textContent()) ?? '';
      if (/Activation: \d+ms/.test(text)) {
        break;
      }
      await page.waitForTimeout(100);
    }
    const match = /(Startup )?Activation: (\d+)ms/.exec(text);
    if (!match) {
      throw new Error(`no activation time for ${name} in Running Extensions: "${text}"`);
    }
    result.set(name, { ms: Number(match[2]), startup: match[1] !== undefined });
  }
  return result;
}
