/// <reference lib="dom" />
/**
 * Issue 16, items 6, 8, 11 and 13: a probe that succeeds raises no toast (the status bar and Probe
 * Results say it); one that fails raises one, with "Why?", whose report prints the fix once with
 * its YAML in a block to copy; "Why?" again reveals that report instead of opening another; the
 * pickers name the source Pod and list its namespace first; a timeout's tooltip says "not measured".
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import {
  collapse,
  FRONTEND_POD,
  contextMenu,
  expand,
  pick,
  quickInput,
  quickInputTitle,
  runCommand,
  toasts,
} from '../support/ui.ts';

export function register(e2e: E2E): void {
  test('21. a probe: success in the status bar only, failure in one toast with "Why?", its report once per pair', async (t) => {
    await e2e.step(t, '21-probe-notifications', async () => {
      const { page, row } = e2e;
      await runCommand(page, 'Notifications: Clear All Notifications');
      await collapse(page, /^Services 8/);
      await expand(page, /^Pods 6/);

      const results = (name: RegExp) => page.getByRole('treeitem', { name });
      const okBefore = await results(/→ backend:80 .*HTTP 200/).count();
      await contextMenu(page, FRONTEND_POD, 'Probe from Pod…');
      assert.match(await quickInputTitle(page, /Probe from shop\/frontend-/), /Probe from shop\/frontend-/);
      // The source Pod's namespace first.
      const rows = quickInput(page).locator('.monaco-list-row');
      await rows
        .filter({ hasText: /backend:80/ })
        .first()
        .waitFor();
      // Row 0 is "A URL or host:port…"; row 1 opens the first namespace, labelled on its right.
      assert.match((await rows.nth(1).textContent()) ?? '', /backend:80\s*Service.*shop$/);
      await pick(page, /backend:80/);
      await page
        .locator('.statusbar-item', { hasText: /→ backend:80: HTTP 200/ })
        .first()
        .waitFor({ timeout: 30_000 });
      // The view may be drawing the new row still.
      await page.waitForFunction(
        (count) =>
          [...document.querySelectorAll('.monaco-list-row[role="treeitem"]')].filter((row) =>
            /→ backend:80 .*HTTP 200/.test(row.getAttribute('aria-label') ?? ''),
          ).length > count,
        okBefore,
        { timeout: 10_000 },
      );
      assert.equal(await toasts(page, /backend:80/).count(), 0, 'no toast for a success');

      await contextMenu(page, FRONTEND_POD, 'Probe from Pod…');
      await pick(page, /db\.data:5432/);
      const failure = toasts(page, /db\.data:5432/);
      await failure.first().waitFor({ timeout: 30_000 });
      assert.equal(await failure.count(), 1, 'one toast for a failure');
      await page.screenshot({ path: join(e2e.results, '21-probe-failure-toast.png') });

      // The timeout's tooltip: no "0.0 ms" for the phases that were never reached.
      const timedOut = results(/→ db\.data:5432 .*timeout/).first();
      await timedOut.hover();
      const hover = page.locator('.monaco-hover', { hasText: 'total' }).first();
      await hover.waitFor({ timeout: 10_000 });
      const tooltip = (await hover.textContent()) ?? '';
      assert.match(tooltip, /connect not measured/);
      assert.doesNotMatch(tooltip, /connect 0\.0 ms/);
      await page.screenshot({ path: join(e2e.results, '21-probe-timeout-tooltip.png') });
      await page.mouse.move(700, 1700);

      await failure.first().locator('.monaco-button', { hasText: 'Why?' }).click();
      const tab = page.locator('.tabs-container .tab', {
        hasText: /^Diagnosis: shop\/frontend-.* → db\.data:5432/,
      });
      await tab.first().waitFor({ timeout: 60_000 });
      const report = page.frameLocator('iframe.webview').last().frameLocator('iframe');
      await report.locator('.conclusion').waitFor({ timeout: 30_000 });
      const conclusionFix = (await report.locator('.conclusion p.fix').first().textContent()) ?? '';
      assert.ok(conclusionFix.length > 0, 'the conclusion states the fix');
      const body = (await report.locator('body').textContent()) ?? '';
      const sentence = conclusionFix.replace(/^Fix:\s*/, '').slice(0, 60);
      assert.equal(body.split(sentence).length - 1, 1, `the fix is printed once: ${sentence}`);
      const yaml = report.locator('.yaml pre').first();
      await yaml.waitFor();
      const font = await yaml.evaluate((element) => getComputedStyle(element).fontFamily);
      assert.match(font, /mono|courier|consolas|menlo/i);
      await report.locator('.yaml button.copy').first().waitFor();
      await page.screenshot({ path: join(e2e.results, '21-report-fix.png') });

      // "Why?" on the Probe Results row: the same report revealed (re-run), not a second tab.
      const progress = page.locator('.notifications-toasts .notification-list-item', {
        hasText: 'Diagnosing',
      });
      await timedOut.hover();
      await timedOut.locator('.action-label[aria-label="Why?"]').click();
      await progress.first().waitFor({ timeout: 10_000 });
      await progress.first().waitFor({ state: 'detached', timeout: 60_000 });
      assert.equal(await tab.count(), 1, 'one report tab per pair');

      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'Notifications: Clear All Notifications');
      void row;
    });
  });
}
