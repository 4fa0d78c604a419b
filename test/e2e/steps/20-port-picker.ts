/// <reference lib="dom" />
/**
 * Issue 16, item 5: the port picker preselects the declared ports, "Another port…" is a title bar
 * button (not a row to check), and a target with one port forwards at once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import { collapse, contextMenu, expand, quickInput, quickInputTitle, runCommand } from '../support/ui.ts';

export function register(e2e: E2E): void {
  test('20. Port-forward…: the declared ports preselected, "Another port…" outside them, one port forwards at once', async (t) => {
    await e2e.step(t, '20-port-picker', async () => {
      const { page, row } = e2e;
      // Steps 8 and 9 left the report in the editor and the explorer on namespace shop.
      await runCommand(page, 'View: Close All Editors');
      await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').first().waitFor();
      if (!(await row(/^kubereach-sandbox /).isVisible())) {
        await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click();
      }
      await expand(page, /^shop /);
      await collapse(page, /^Ingresses 1/);
      await collapse(page, /^Pods 6/);
      await expand(page, /^Services 8/);

      await contextMenu(page, /^backend /, 'Port-forward…');
      assert.match(
        await quickInputTitle(page, /Port-forward Service shop\/backend/),
        /Port-forward Service shop\/backend/,
      );
      const rows = quickInput(page).locator('.monaco-list-row');
      await rows.first().waitFor();
      const checked = await rows.evaluateAll((elements) =>
        elements.map((element) => ({
          text: element.textContent ?? '',
          checked:
            element.getAttribute('aria-checked') === 'true' ||
            element.querySelector('[aria-checked="true"]') !== null ||
            (element.querySelector('input[type="checkbox"]') as HTMLInputElement | null)?.checked === true,
        })),
      );
      assert.deepEqual(
        checked.map((item) => [item.text.match(/\d+\/TCP/)?.[0], item.checked]),
        [
          ['80/TCP', true],
          ['9090/TCP', true],
        ],
        JSON.stringify(checked),
      );
      assert.ok(
        checked.every((item) => !/Another port/.test(item.text)),
        '"Another port…" is not a row',
      );
      await quickInput(page)
        .locator('.quick-input-titlebar .action-label[aria-label^="Another port"]')
        .waitFor({ timeout: 5_000 });
      await page.screenshot({ path: join(e2e.results, '20-port-picker-preselected.png') });
      await page.keyboard.press('Escape');

      // The frontend Service has one port: no picker, the forward starts.
      await contextMenu(page, /^frontend /, 'Port-forward…');
      const forward = row(/^Service shop\/frontend/);
      await forward.waitFor({ timeout: 20_000 });
      const response = await fetch('http://127.0.0.1:80/one-port');
      assert.equal(response.status, 200);
      await response.body?.cancel();
      await page.screenshot({ path: join(e2e.results, '20-port-picker-forwarded.png') });
      await forward.hover();
      await forward.locator('.action-label[aria-label="Stop"]').click();
      await forward.waitFor({ state: 'detached', timeout: 10_000 });
    });
  });
}
