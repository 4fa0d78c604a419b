/**
 * Issue 16, item 7: the palette lists no command that only acts on a tree item.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import { quickInput } from '../support/ui.ts';

const ITEM_ONLY = ['Stop', 'Restart', 'Re-run', 'Copy Command', 'Copy Address', 'Open in Browser', 'Why?'];

export function register(e2e: E2E): void {
  test('22. the command palette offers no item-only command', async (t) => {
    await e2e.step(t, '22-palette', async () => {
      const { page } = e2e;
      const rows = quickInput(page).locator('.monaco-list-row');
      for (const title of ['Stop All Forwards', ...ITEM_ONLY]) {
        await page.keyboard.press('F1');
        await page.keyboard.type(`KubeReach: ${title}`);
        // The list has filtered once a row names KubeReach, or nothing matches.
        await Promise.race([
          rows.filter({ hasText: 'KubeReach:' }).first().waitFor(),
          quickInput(page).getByText('No matching commands').waitFor(),
        ]);
        const labels = await rows.allTextContents();
        const exact = new RegExp(`KubeReach: ${title.replace(/[?.]/g, '\\$&')}(?! [A-Z])`);
        const listed = labels.some((label) => exact.test(label));
        assert.equal(listed, title === 'Stop All Forwards', `"${title}": ${labels.join(' | ')}`);
        await page.keyboard.press('Escape');
      }
    });
  });
}
