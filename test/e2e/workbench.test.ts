/// <reference lib="dom" />
/**
 * KubeReach in the real VS Code (code-server 4.139, VS Code 1.139) in Debian's Chromium, driven by
 * playwright-core, against the sandbox's demo scenario. Each step saves a screenshot under
 * test-results/; a failing step also keeps the extension host's logs there.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startSandbox } from '../../sandbox/index.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, startCodeServer } from './support/codeServer.ts';
import type { CodeServer } from './support/codeServer.ts';

const RESULTS = join(ROOT, 'test-results');
const available = existsSync(CHROMIUM);
if (!available) {
  console.error(
    `\n*** ${CHROMIUM} is not installed: the end-to-end tests are SKIPPED (.ci/run installs it) ***\n`,
  );
}

describe('KubeReach in VS Code', { skip: !available && 'chromium not installed', timeout: 300_000 }, () => {
  let sandbox: Sandbox;
  let codeServer: CodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    sandbox = await startSandbox({ scenario: 'demo' });
    codeServer = await startCodeServer({
      workspace: join(ROOT, 'test/fixtures/e2e-workspace'),
      kubeconfig: sandbox.kubeconfigPath,
      settings: { 'git.openRepositoryInParentFolders': 'never', 'git.enabled': false },
      log: (line) => {
        if (/error/i.test(line)) {
          console.error(`[code-server] ${line}`);
        }
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(codeServer.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    await codeServer?.stop();
    await sandbox?.stop();
  });

  /** Runs a step; on failure keeps a screenshot and the extension host's logs. */
  async function step(t: TestContext, name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
      await page.screenshot({ path: join(RESULTS, `${name}.png`) });
    } catch (error) {
      await page.screenshot({ path: join(RESULTS, `${name}-FAILED.png`) }).catch(() => undefined);
      if (existsSync(codeServer.logsDir)) {
        cpSync(codeServer.logsDir, join(RESULTS, `${name}-logs`), { recursive: true });
      }
      t.diagnostic(`screenshot and logs in ${RESULTS}`);
      throw error;
    }
  }

  const row = (name: RegExp) => page.getByRole('treeitem', { name }).first();
  const icon = (name: RegExp) => row(name).locator('.custom-view-tree-node-item-icon');

  test('1. the view shows the sandbox context, its namespaces, Pods and Services with the right icons', async (t) => {
    await step(t, '1-explorer', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click({ timeout: 60_000 });
      await row(/^kubereach-sandbox current/).waitFor({ timeout: 60_000 });
      for (const namespace of ['data', 'shop', 'tools']) {
        await row(new RegExp(`^${namespace} \\d+ pods?`)).waitFor();
      }
      await row(/^shop /).click();
      await row(/^Pods 6/).click();
      await row(/^frontend-/).waitFor();
      assert.match((await icon(/^frontend-/).getAttribute('class')) ?? '', /codicon-pass-filled/);
      assert.match(
        (await icon(/^checkout /).getAttribute('class')) ?? '',
        /codicon-warning/,
        'the never-ready Pod is flagged',
      );
      // The list is virtualised: fold the Pods before looking at the Services.
      await row(/^Pods 6/).click();
      await row(/^Services 5/).click();
      await row(/^legacy-api /).waitFor();
      assert.match(
        (await icon(/^legacy-api /).getAttribute('class')) ?? '',
        /codicon-warning/,
        'a Service selecting nothing is flagged',
      );
      await page.screenshot({ path: join(RESULTS, '1-explorer-services.png') });
      await row(/^Services 5/).click();
      await row(/^Pods 6/).click();
    });
  });

  test('2. a Pod made unready through the sandbox changes its icon with no user action', async (t) => {
    await step(t, '2-unready', async () => {
      const name = (await row(/^backend-/).getAttribute('aria-label'))!.split(' ')[0]!;
      sandbox.faults.setPodReady('shop', name, false);
      await page.waitForFunction(
        (pod) => {
          const element = [...document.querySelectorAll('.monaco-list-row[role="treeitem"]')].find(
            (candidate) => candidate.getAttribute('aria-label')?.startsWith(`${pod} `),
          );
          return element !== undefined && element.querySelector('.codicon-warning') !== null;
        },
        name,
        { timeout: 10_000 },
      );
      sandbox.faults.setPodReady('shop', name, true);
    });
  });
});
