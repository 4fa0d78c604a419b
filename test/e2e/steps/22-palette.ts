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
        await rows.first().waitFor();
        const unfiltered = await rows.allTextContents();
        await page.keyboard.type(`KubeReach: ${title}`);
        // The list has filtered once it differs from the list as it opened, or nothing matches. (A
        // row naming KubeReach was not enough: the list as it opens shows recently used KubeReach
        // commands, and was read so once in CI.) Filtering narrows with each key typed, so a list
        // read before the last key's filter is drawn holds every command the final one holds.
        await page.waitForFunction(
          (before) => {
            const widget = document.querySelector('.quick-input-widget');
            if (widget?.textContent?.includes('No matching commands')) {
              return true;
            }
            const now = [...(widget?.querySelectorAll('.monaco-list-row') ?? [])].map(
              (row) => row.textContent ?? '',
            );
            return now.length > 0 && now.join('\n') !== before.join('\n');
          },
          unfiltered,
          { timeout: 15_000 },
        );
        const labels = await rows.allTextContents();
        const exact = new RegExp(`KubeReach: ${title.replace(/[?.]/g, '\\$&')}(?! [A-Z])`);
        const listed = labels.some((label) => exact.test(label));
        assert.equal(listed, title === 'Stop All Forwards', `"${title}": ${labels.join(' | ')}`);
        await page.keyboard.press('Escape');
      }
    });
  });
}
