/**
 * Issue 16, item 14: with no kubeconfig the cluster view is its welcome, saying how to add a
 * cluster. The sandbox's kubeconfig is moved away and back: KubeReach watches it.
 */
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';

export function register(e2e: E2E): void {
  test('24. no kubeconfig: the welcome says how to add a cluster; the tree comes back with the file', async (t) => {
    await e2e.step(t, '24-no-kubeconfig', async () => {
      const { page, row, sandbox } = e2e;
      const path = sandbox.kubeconfigPath;
      const away = `${path}.away`;
      renameSync(path, away);
      try {
        const welcome = page.locator('.welcome-view-content', { hasText: 'No kubeconfig found' });
        await welcome.waitFor({ timeout: 20_000 });
        const text = (await welcome.textContent()) ?? '';
        assert.match(text, /kind, minikube or k3d/);
        await welcome.getByRole('button', { name: 'Choose a Kubeconfig File…' }).waitFor();
        // Nothing in the view's title bar that needs a cluster.
        const title = page.locator('.pane-header', { hasText: 'Cluster' }).first();
        await title
          .locator('.action-label[aria-label^="Refresh"]')
          .waitFor({ state: 'detached', timeout: 5_000 });
        assert.equal(await title.locator('.action-label[aria-label^="Switch Context"]').count(), 0);
        await page.screenshot({ path: join(e2e.results, '24-no-kubeconfig-welcome.png') });
      } finally {
        renameSync(away, path);
      }
      await row(/^kubereach-sandbox /).waitFor({ timeout: 30_000 });
      await page
        .locator('.pane-header', { hasText: 'Cluster' })
        .first()
        .locator('.action-label[aria-label^="Refresh"]')
        .waitFor({ state: 'attached', timeout: 5_000 });
    });
  });
}
