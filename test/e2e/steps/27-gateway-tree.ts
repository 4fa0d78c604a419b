/**
 * Issue 15, explorer: on the demo (which serves gateway.networking.k8s.io), namespace store shows
 * an HTTPRoutes group; HTTPRoute catalog carries the warning about listener internal of Gateway
 * infra/public in its hover, and expands to its rules. The hover is saved as 27-gateway-tree-hover.png
 * (the step's own screenshot is taken after it has folded namespace store again for later steps).
 * A Pod of store, hovered, shows the tooltip VS Code asked for (27-pod-hover.png): Pod rows are drawn
 * without one, and resolveTreeItem builds it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import { collapse, expand, runCommand, treeRow } from '../support/ui.ts';

export function register(e2e: E2E): void {
  test('27. The Gateway API in the explorer: HTTPRoute store/catalog with its warning and rules', async (t) => {
    await e2e.step(t, '27-gateway-tree', async () => {
      const { page, row } = e2e;
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Close All Editors');
      if (!(await row(/^kubereach-sandbox /).isVisible())) {
        await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click();
      }
      await collapse(page, /^shop /);
      await expand(page, /^store /);
      await expand(page, /^HTTPRoutes 2/);
      await expand(page, /^catalog store\.example\.com/);
      await treeRow(page, /^PathPrefix \/api /).waitFor({ timeout: 30_000 });
      await treeRow(page, /^reports /).waitFor();
      await page.mouse.move(1000, 900);
      await treeRow(page, /^catalog store\.example\.com/).hover();
      const hover = page.locator('.monaco-hover', { hasText: 'not attached to listener internal' });
      await hover.first().waitFor({ timeout: 15_000 });
      const text = (await hover.first().textContent()) ?? '';
      assert.match(
        text,
        /Gateway infra\/public: hostname store\.example\.com does not match \*\.internal\.example\.com/,
      );
      await page.screenshot({ path: join(e2e.results, '27-gateway-tree-hover.png') });
      await page.mouse.move(1000, 900);
      // A Pod row is drawn without its tooltip; VS Code asks for it on hover (resolveTreeItem).
      await expand(page, /^Pods\b/);
      const pod = treeRow(page, /^catalog-canary-[a-z0-9]+-[a-z0-9]+ /);
      await pod.waitFor({ timeout: 30_000 });
      await pod.hover();
      const podHover = page.locator('.monaco-hover', { hasText: 'Conditions' });
      await podHover.first().waitFor({ timeout: 15_000 });
      const podText = (await podHover.first().textContent()) ?? '';
      assert.match(podText, /Ready=True/);
      assert.match(podText, /registry\.example\/catalog:2\.1-rc1/);
      await page.screenshot({ path: join(e2e.results, '27-pod-hover.png') });
      await page.mouse.move(1000, 900);
      await collapse(page, /^Pods\b/);
      await collapse(page, /^store /);
    });
  });
}
