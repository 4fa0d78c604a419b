/// <reference lib="dom" />
/**
 * Workbench gestures shared by the step files: a tree row's context menu, a QuickPick row, a
 * palette command, a folded tree row, the notification toasts.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

export function treeRow(page: Page, name: RegExp): Locator {
  return page.getByRole('treeitem', { name }).first();
}

/**
 * A frontend Pod's row in the Cluster view, by its readiness ("1/1"): `/^frontend-/` alone also
 * names the Probe Results rows ("frontend-… → backend:80 …"), and while a Pods group is still
 * drawing its rows the first match was a probe result (step 21 right-clicked one).
 */
export const FRONTEND_POD = /^frontend-[a-z0-9]+-[a-z0-9]+\W+\d+\/\d+/;

/** The enabled entries of a tree row's context menu. */
export async function contextMenuEntries(page: Page, name: RegExp): Promise<string[]> {
  // Away from the tree first: the hover of the last row clicked may cover this one.
  await page.mouse.move(1000, 900);
  await treeRow(page, name).click({ button: 'right' });
  const labels = page.locator('.context-view .action-item:not(.disabled) .action-label:not(.separator)');
  await labels.first().waitFor();
  return (await labels.allTextContents()).map((text) => text.trim()).filter(Boolean);
}

/** Right-clicks a tree row and runs one of its context menu entries (by keyboard, as VS Code's menus ignore too early clicks). */
export async function contextMenu(page: Page, name: RegExp, entry: string): Promise<void> {
  const texts = await contextMenuEntries(page, name);
  const index = texts.indexOf(entry);
  assert.ok(index >= 0, `"${entry}" not in the menu: ${texts.join(', ')}`);
  for (let i = 0; i <= index; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}

export const quickInput = (page: Page): Locator => page.locator('.quick-input-widget');

/**
 * Accepts the QuickPick row showing `text`. While a picker's list is still filling, its rows move
 * under the pointer and a click can land on another row or none; so the click is checked: the
 * picker closes or changes title, else the row is clicked again (three tries).
 */
export async function pick(page: Page, text: string | RegExp): Promise<void> {
  const widget = quickInput(page);
  const title = widget.locator('.quick-input-title');
  for (let attempt = 1; ; attempt++) {
    const before = (await title.textContent().catch(() => null)) ?? '';
    await widget.locator('.monaco-list-row', { hasText: text }).first().click();
    const moved = await page
      .waitForFunction(
        (previous) => {
          const shown = document.querySelector<HTMLElement>('.quick-input-widget');
          const now = shown?.querySelector('.quick-input-title')?.textContent ?? '';
          return shown === null || shown.style.display === 'none' || now !== previous;
        },
        before,
        { timeout: 3_000 },
      )
      .then(() => true)
      .catch(() => false);
    if (moved || attempt === 3) {
      return;
    }
  }
}

/**
 * The QuickPick's title, once it shows one matching `title`. A picker that follows another first
 * shows the previous title, so callers pass the whole title they expect, not a prefix of it.
 */
export async function quickInputTitle(page: Page, title: RegExp): Promise<string> {
  const element = quickInput(page).locator('.quick-input-title', { hasText: title });
  await element.waitFor({ timeout: 10_000 });
  return (await element.textContent()) ?? '';
}

/** Expands a folded tree row (a no-op when it is open). */
export async function expand(page: Page, name: RegExp): Promise<void> {
  const row = treeRow(page, name);
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.click();
  }
}

/** Folds an open tree row (a no-op when it is folded or absent). */
export async function collapse(page: Page, name: RegExp): Promise<void> {
  const row = treeRow(page, name);
  if ((await row.count()) > 0 && (await row.getAttribute('aria-expanded')) === 'true') {
    await row.click();
  }
}

/** Runs a palette command by its full title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.keyboard.type(title);
  await quickInput(page).locator('.monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

export const toasts = (page: Page, text: string | RegExp): Locator =>
  page.locator('.notifications-toasts .notification-list-item', { hasText: text });
