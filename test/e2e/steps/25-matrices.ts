/**
 * Issue 16, item 12: the policy matrix has a legend, plain words, and a cell opens the diagnosis
 * of its pair.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import { runCommand } from '../support/ui.ts';

export function register(e2e: E2E): void {
  test('25. the policy matrix: a legend, and a denied cell opens the diagnosis of its pair', async (t) => {
    await e2e.step(t, '25-matrices', async () => {
      const { page } = e2e;
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'KubeReach: Show Policy Matrix');
      const matrix = page.frameLocator('iframe.webview').last().frameLocator('iframe');
      const grid = matrix.locator('table[role="grid"]');
      await grid.waitFor({ timeout: 30_000 });
      const legend = (await matrix.locator('.legend').textContent()) ?? '';
      assert.match(legend, /allowed by the policies/);
      assert.match(legend, /denied/);
      const denied = grid.locator('td.bad').first();
      await denied.click();
      await page
        .locator('.tabs-container .tab', { hasText: /^Diagnosis: / })
        .first()
        .waitFor({ timeout: 60_000 });
      await runCommand(page, 'View: Close All Editors');
    });
  });
}
