/**
 * Issue 16, item 9: a Service's context menu probes and diagnoses towards it, asking for the
 * source Pod second (its own namespace first).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import {
  collapse,
  contextMenu,
  contextMenuEntries,
  expand,
  pick,
  quickInput,
  quickInputTitle,
} from '../support/ui.ts';

export function register(e2e: E2E): void {
  test('23. Probe from Pod… on a Service: its port, then the source Pod', async (t) => {
    await e2e.step(t, '23-from-target', async () => {
      const { page } = e2e;
      await collapse(page, /^Pods 6/);
      await expand(page, /^Services 8/);
      const entries = await contextMenuEntries(page, /^backend /);
      await page.keyboard.press('Escape');
      assert.ok(entries.includes('Probe from Pod…'), entries.join(', '));
      assert.ok(entries.includes('Diagnose Connectivity…'), entries.join(', '));

      const results = page.getByRole('treeitem', { name: /→ backend:80 .*HTTP 200/ });
      const before = await results.count();
      await contextMenu(page, /^backend /, 'Probe from Pod…');
      await pick(page, 'shop/backend:80');
      assert.match(await quickInputTitle(page, /Probe to shop\/backend:80/), /Probe to shop\/backend:80/);
      const firstPod = await quickInput(page).locator('.monaco-list-row').first().textContent();
      assert.match(firstPod ?? '', /shop/);
      await pick(page, /^frontend-/);
      await page.waitForFunction(
        (count) =>
          [...document.querySelectorAll('.monaco-list-row[role="treeitem"]')].filter((row) =>
            /→ backend:80 .*HTTP 200/.test(row.getAttribute('aria-label') ?? ''),
          ).length > count,
        before,
        { timeout: 30_000 },
      );
      await collapse(page, /^Services 8/);
    });
  });
}
