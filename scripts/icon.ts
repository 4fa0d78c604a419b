/**
 * `npm run icon`: renders media/icon.svg to media/icon.png (128 × 128, the marketplace icon, which
 * must be a PNG) with Debian's Chromium. Run it after editing the SVG and commit both.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/e2e/support/codeServer.ts';

const root = resolve(import.meta.dirname, '..');
const svg = readFileSync(resolve(root, 'media/icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: resolve(root, 'media/icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
