/// <reference lib="dom" />
/**
 * Issue 16, item 3: the Get Started walkthrough. Opened first, it then watches its steps complete,
 * each by its own event, as the user does them: the view shown (onView) while the cluster answers,
 * a manifest brought to front, a probe re-run, a diagnosis opened by "Why?", a port-forward turned
 * active (context keys the extension raises as those things happen).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { E2E } from '../support/steps.ts';

const STEPS = ['connect', 'openView', 'portForward', 'probe', 'diagnose', 'manifest'];

/** Runs the entry of a tree row's context menu whose label matches (by keyboard, as VS Code's menus want). */
async function menu(page: Page, row: string | RegExp, entry: RegExp): Promise<void> {
  await page.mouse.move(1000, 900);
  await page.getByRole('treeitem', { name: row }).first().click({ button: 'right' });
  const labels = page.locator('.context-view .action-item:not(.disabled) .action-label:not(.separator)');
  await labels.first().waitFor();
  const texts = (await labels.allTextContents()).map((text) => text.trim()).filter(Boolean);
  const index = texts.findIndex((text) => entry.test(text));
  assert.ok(index >= 0, `${entry} not in the menu: ${texts.join(', ')}`);
  for (let i = 0; i <= index; i++) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Enter');
}

/** Clicks an inline action (by the start of its label) of a tree row. */
async function inlineAction(page: Page, row: RegExp, label: string): Promise<void> {
  const item = page.getByRole('treeitem', { name: row }).first();
  await item.hover();
  await item.locator(`.action-label[aria-label^="${label}"]`).click();
}

async function expand(page: Page, name: RegExp): Promise<void> {
  const row = page.getByRole('treeitem', { name }).first();
  await row.waitFor({ timeout: 30_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') {
    await row.click();
  }
}

async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.keyboard.type(command);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: command }).first().waitFor();
  await page.keyboard.press('Enter');
}

export function register(e2e: E2E): void {
  test('10. the Get Started walkthrough: each step completes as the user does it', async (t) => {
    await e2e.step(t, '10-walkthrough', async () => {
      const { page, row } = e2e;
      const step = (id: string) => page.locator(`button.getting-started-step[data-step-id$="#${id}"]`);
      const done = (id: string) =>
        page.locator(`button.getting-started-step[data-step-id$="#${id}"][aria-checked="true"]`);
      const showWalkthrough = async () => {
        await palette(page, 'Welcome: Open Walkthrough');
        await page
          .locator('.quick-input-widget .monaco-list-row', { hasText: 'Get Started with KubeReach' })
          .first()
          .click();
        await step('connect').waitFor({ timeout: 30_000 });
      };

      await page.keyboard.press('Escape');
      await showWalkthrough();
      assert.deepEqual(
        await page
          .locator('button.getting-started-step')
          .evaluateAll((buttons) =>
            buttons.map((button) => button.getAttribute('data-step-id')!.split('#').at(-1)),
          ),
        STEPS,
      );
      await page.screenshot({ path: join(e2e.results, '10-walkthrough-opened.png') });

      // A Service manifest in front, opened from the file explorer; then the KubeReach view shown
      // again, while the cluster answers: "Check a manifest", "Open the cluster view", "Connect a cluster".
      await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
      await page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: 'services.yaml' })
        .first()
        .click();
      await page
        .locator('.tabs-container .tab.active', { hasText: 'services.yaml' })
        .waitFor({ timeout: 10_000 });
      await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click();
      await row(/^kubereach-sandbox /).waitFor({ timeout: 30_000 });

      // A probe: re-run the one of step 4; then "Why?" on the blocked one opens its diagnosis.
      const backendResults = page.getByRole('treeitem', { name: /→ backend:80 .*HTTP 200/ });
      const before = await backendResults.count();
      await inlineAction(page, /→ backend:80 .*HTTP 200/, 'Re-run');
      // The new result is listed first, moving the rows: wait for it before acting on another row.
      await backendResults.nth(before).waitFor({ timeout: 30_000 });
      await inlineAction(page, /→ db\.data:5432 .*timeout/, 'Why');
      await page
        .locator('.tabs-container .tab.active', { hasText: /Diagnosis/ })
        .waitFor({ timeout: 30_000 });

      // A forward that turns active, stopped again (later steps want port 80 free).
      await expand(page, /^shop /);
      await expand(page, /^Services 8/);
      await menu(page, /^backend /, /^Port-forward/);
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: '9090/TCP' }).first().click();
      await page.keyboard.press('Enter');
      const forward = row(/^Service shop\/backend/);
      await forward.waitFor({ timeout: 20_000 });

      await showWalkthrough();
      for (const id of STEPS) {
        await done(id)
          .waitFor({ timeout: 10_000 })
          .catch(async () => {
            assert.fail(
              `the step "${id}" is not done: aria-checked=${await step(id).getAttribute('aria-checked')}`,
            );
          });
      }
      await step('portForward').click();
      await page.screenshot({ path: join(e2e.results, '10-walkthrough-done.png') });

      await forward.hover();
      await forward.locator('.action-label[aria-label^="Stop"]').click();
      await forward.waitFor({ state: 'detached', timeout: 10_000 });
      await palette(page, 'View: Close All Editors');
    });
  });
}
