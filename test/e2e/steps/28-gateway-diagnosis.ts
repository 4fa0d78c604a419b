/**
 * Issue 15, diagnosis: "Diagnose External Access…" from the palette with a URL through Gateway
 * infra/public (`http://store.example.com/api via infra/public`) in the real VS Code: the Gateway
 * hops (listener, attachment, rule with its 90/10 backendRefs) pass, and the live probe hop shows
 * the request through an in-process port-forward to the Gateway's Pod answering 200 beside the
 * request to the Gateway's address. The report beside the tree is saved as 28-gateway-diagnosis-report.png (the step's own
 * screenshot is taken after it has folded the namespaces again for later steps).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';
import { collapse, expand, runCommand, treeRow } from '../support/ui.ts';

export function register(e2e: E2E): void {
  test('28. Diagnose External Access… through a Gateway from the palette: the Gateway hops pass and the forwarded request answers 200', async (t) => {
    await e2e.step(t, '28-gateway-diagnosis', async () => {
      const { page, row } = e2e;
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Close All Editors');
      if (!(await row(/^kubereach-sandbox /).isVisible())) {
        await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click();
      }
      const quickInput = page.locator('.quick-input-widget');
      const title = 'KubeReach: Diagnose External Access…';
      await page.keyboard.press('F1');
      await page.keyboard.type(title);
      await quickInput.locator('.monaco-list-row', { hasText: title }).first().waitFor();
      await page.keyboard.press('Enter');
      await quickInput.locator('.quick-input-title', { hasText: 'Diagnose External Access' }).waitFor();
      await page.keyboard.type('http://store.example.com/api via infra/public');
      await page.keyboard.press('Enter');
      const report = page.frameLocator('iframe.webview').last().frameLocator('iframe');
      await report.locator('h2', { hasText: 'store.example.com/api' }).waitFor({ timeout: 60_000 });
      const probeHop = report.locator('li.hop', { hasText: 'Live probe' });
      await probeHop.waitFor({ timeout: 60_000 });
      const listener = (await report.locator('li.hop', { hasText: 'Gateway listener' }).textContent()) ?? '';
      assert.match(listener, /http/);
      const rule = (await report.locator('li.hop', { hasText: 'Route rule' }).textContent()) ?? '';
      assert.match(rule, /HTTPRoute store\/catalog rule 1/);
      const text = (await probeHop.textContent()) ?? '';
      assert.match(text, /through a port-forward to the Gateway's Pod, the request answered 200/);
      assert.match(
        text,
        /through a port-forward to gateway-sandbox\/gateway-sandbox-controller-\S+:80: answered 200; static answer: answers/,
      );
      // The Gateway and the route in the tree beside the report (the README's picture), expanded
      // once the diagnosis has widened the namespaces in view (which redraws the tree).
      await collapse(page, /^shop /);
      await expand(page, /^infra /);
      await expand(page, /^Gateways 1/);
      await expand(page, /^public /);
      await expand(page, /^store /);
      await expand(page, /^HTTPRoutes 2/);
      await treeRow(page, /^catalog store\.example\.com/).waitFor({ timeout: 30_000 });
      await treeRow(page, /^internal HTTP 8080/).waitFor({ timeout: 30_000 });
      await page.mouse.move(1000, 900);
      await page.screenshot({ path: join(e2e.results, '28-gateway-diagnosis-report.png') });
      await page.keyboard.press('Escape');
      await collapse(page, /^store /);
      await collapse(page, /^infra /);
    });
  });
}
