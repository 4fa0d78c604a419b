/**
 * Issue 14, hop 7: "Diagnose External Access…" from the palette with a URL sends the request end to
 * end through an in-process port-forward to the Ingress controller's Pod (as well as to the
 * Ingress's address), and the report shows what it saw beside the static answer.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { E2E } from '../support/steps.ts';

export function register(e2e: E2E): void {
  test('26. Diagnose External Access… from the palette: the request through a port-forward to the controller answers 200', async (t) => {
    await e2e.step(t, '26-external-forward', async () => {
      const { page } = e2e;
      await page.keyboard.press('Escape');
      const quickInput = page.locator('.quick-input-widget');
      const title = 'KubeReach: Diagnose External Access…';
      await page.keyboard.press('F1');
      await page.keyboard.type(title);
      await quickInput.locator('.monaco-list-row', { hasText: title }).first().waitFor();
      await page.keyboard.press('Enter');
      await quickInput.locator('.quick-input-title', { hasText: 'Diagnose External Access' }).waitFor();
      await page.keyboard.type('http://shop.example.com/');
      await page.keyboard.press('Enter');
      const report = page.frameLocator('iframe.webview').last().frameLocator('iframe');
      await report.locator('h2', { hasText: 'http://shop.example.com/' }).waitFor({ timeout: 60_000 });
      const probeHop = report.locator('li.hop', { hasText: 'Live probe' });
      await probeHop.waitFor();
      const text = (await probeHop.textContent()) ?? '';
      assert.match(text, /through a port-forward to the controller's Pod, the request answered 200/);
      assert.match(
        text,
        /through a port-forward to ingress-sandbox\/ingress-sandbox-controller-\S+:80: answered 200; static answer: answers/,
      );
      await page.screenshot({ path: join(e2e.results, '26-external-forward.png') });
      await page.keyboard.press('Escape');
    });
  });
}
