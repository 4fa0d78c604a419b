/// <reference lib="dom" />
/**
 * KubeReach in the real VS Code (code-server 4.139, VS Code 1.139) in Debian's Chromium, driven by
 * playwright-core, against the sandbox's demo scenario. Each step saves a screenshot under
 * test-results/; a failing step also keeps the extension host's logs there.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startSandbox } from '../../sandbox/index.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import {
  activationRecords,
  runningExtensionActivations,
  waitForSettledWorkbench,
} from './support/activation.ts';
import type { Settled } from './support/activation.ts';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, startCodeServer } from './support/codeServer.ts';
import type { CodeServer } from './support/codeServer.ts';
import type { E2E, StepModule } from './support/steps.ts';
import { FRONTEND_POD } from './support/ui.ts';

const RESULTS = join(ROOT, 'test-results');
const available = existsSync(CHROMIUM);
if (!available) {
  console.error(
    `\n*** ${CHROMIUM} is not installed: the end-to-end tests are SKIPPED (.ci/run installs it) ***\n`,
  );
}

const STEPS = join(ROOT, 'test/e2e/steps');
const stepModules: StepModule[] = existsSync(STEPS)
  ? await Promise.all(
      readdirSync(STEPS)
        .filter((file) => file.endsWith('.ts'))
        .sort()
        .map((file) => import(pathToFileURL(join(STEPS, file)).href) as Promise<StepModule>),
    )
  : [];

describe('KubeReach in VS Code', { skip: !available && 'chromium not installed', timeout: 900_000 }, () => {
  let sandbox: Sandbox;
  let codeServer: CodeServer;
  let browser: Browser;
  let page: Page;
  let workspace: string;
  let settled: Settled;

  before(async () => {
    mkdirSync(RESULTS, { recursive: true });
    sandbox = await startSandbox({ scenario: 'demo' });
    // A copy: the quick fix step edits the manifest.
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-e2e-'));
    cpSync(join(ROOT, 'test/fixtures/e2e-workspace'), workspace, { recursive: true });
    codeServer = await startCodeServer({
      workspace,
      kubeconfig: sandbox.kubeconfigPath,
      settings: { 'git.openRepositoryInParentFolders': 'never', 'git.enabled': false },
      log: (line) => {
        if (/error/i.test(line)) {
          console.error(`[code-server] ${line}`);
        }
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1500, height: 1800 } });
    await page.goto(codeServer.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    // Step 1 opens the view, which activates KubeReach: as a user would, once the workbench has started.
    settled = await waitForSettledWorkbench(codeServer.logsDir);
  });

  after(async () => {
    await browser?.close();
    await codeServer?.stop();
    await sandbox?.stop();
    rmSync(workspace, { recursive: true, force: true });
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
      await row(/^kubereach-sandbox shown · current in kubeconfig/).waitFor({ timeout: 60_000 });
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
      await row(/^Services 8/).click();
      await row(/^legacy-api /).waitFor();
      assert.match(
        (await icon(/^legacy-api /).getAttribute('class')) ?? '',
        /codicon-warning/,
        'a Service selecting nothing is flagged',
      );
      await page.screenshot({ path: join(RESULTS, '1-explorer-services.png') });
      await row(/^Services 8/).click();
      await row(/^Pods 6/).click();
    });
  });

  test('2. a Pod made unready through the sandbox changes its icon with no user action', async (t) => {
    await step(t, '2-unready', async () => {
      const name = (await row(/^backend-/).getAttribute('aria-label'))!.split(' ')[0]!;
      const warned = (want: boolean) =>
        page.waitForFunction(
          ([pod, warning]) => {
            const element = [...document.querySelectorAll('.monaco-list-row[role="treeitem"]')].find(
              (candidate) => candidate.getAttribute('aria-label')?.startsWith(`${pod} `),
            );
            return element !== undefined && (element.querySelector('.codicon-warning') !== null) === warning;
          },
          [name, want] as const,
          { timeout: 10_000 },
        );
      sandbox.faults.setPodReady('shop', name, false);
      await warned(true);
      sandbox.faults.setPodReady('shop', name, true);
      // Ready again before the next step: its refresh of the namespace (and of the backend
      // Service's row, through the Pod's EndpointSlice) would otherwise land while step 3 has
      // the backend row's context menu open, and the command would run without its row.
      await warned(false);
    });
  });

  /** Right-clicks a tree row and runs one of its context menu entries. */
  async function contextMenu(name: RegExp, entry: string): Promise<void> {
    await row(name).click({ button: 'right' });
    // By keyboard: VS Code's menus ignore a click that comes too soon after they open.
    const labels = page.locator('.context-view .action-item:not(.disabled) .action-label:not(.separator)');
    await labels.first().waitFor();
    const texts = (await labels.allTextContents()).map((text) => text.trim()).filter(Boolean);
    const index = texts.indexOf(entry);
    assert.ok(index >= 0, `"${entry}" not in the menu: ${texts.join(', ')}`);
    for (let i = 0; i <= index; i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
  }

  async function pick(text: string | RegExp): Promise<void> {
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first().click();
  }

  test('3. Port-forward… on a Service: the local port answers, the forward is listed, Stop releases it', async (t) => {
    await step(t, '3-port-forward', async () => {
      await row(/^Pods 6/).click();
      await row(/^Services 8/).click();
      await contextMenu(/^backend /, 'Port-forward…');
      // Both declared ports come checked: uncheck 9090, forward 80.
      await pick('9090/TCP');
      await page.keyboard.press('Enter');
      await row(/^Service shop\/backend/).waitFor({ timeout: 20_000 });
      const echo = (await (await fetch('http://127.0.0.1:80/through-vscode')).json()) as {
        pod: string;
        path: string;
      };
      assert.match(echo.pod, /^backend-/);
      assert.equal(echo.path, '/through-vscode');
      await page.screenshot({ path: join(RESULTS, '3-port-forward-active.png') });
      await row(/^Service shop\/backend/).hover();
      await row(/^Service shop\/backend/)
        .locator('.action-label[aria-label="Stop"]')
        .click();
      await row(/^Service shop\/backend/).waitFor({ state: 'detached', timeout: 10_000 });
      await assert.rejects(fetch('http://127.0.0.1:80/'), 'the local port is released');
      await row(/^Services 8/).click();
      await row(/^Pods 6/).click();
    });
  });

  test('4. Probe from Pod…: frontend reaches backend with an HTTP status, frontend to db times out', async (t) => {
    await step(t, '4-probe', async () => {
      await contextMenu(FRONTEND_POD, 'Probe from Pod…');
      await pick(/backend:80/);
      await page
        .getByRole('treeitem', { name: /→ backend:80 .*HTTP 200/ })
        .first()
        .waitFor({ timeout: 30_000 });
      await contextMenu(FRONTEND_POD, 'Probe from Pod…');
      await pick(/db\.data:5432/);
      await page
        .getByRole('treeitem', { name: /→ db\.data:5432 .*timeout/ })
        .first()
        .waitFor({ timeout: 30_000 });
    });
  });

  test('5. the broken Service manifest: one diagnostic from the workspace and the cluster in Problems, a selector hover listing the Pods, a quick fix that removes the error', async (t) => {
    await step(t, '5-diagnostics', async () => {
      await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
      await page
        .getByRole('treeitem', { name: /^services\.yaml/ })
        .first()
        .click();
      await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Control+Shift+M');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'KR3002' }).first();
      await problem.waitFor({ timeout: 30_000 });
      // The workspace check and the cluster check of that targetPort are one diagnostic naming both.
      await page
        .locator('.markers-panel .monaco-list-row', { hasText: 'context kubereach-sandbox' })
        .first()
        .waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(RESULTS, '5-diagnostics-problems.png') });
      await page
        .locator('.monaco-editor .view-line', { hasText: 'selector:' })
        .first()
        .locator('span', { hasText: 'selector' })
        .first()
        .hover();
      const hover = page.locator('.monaco-hover', { hasText: 'matching workload' }).first();
      await hover.waitFor({ timeout: 15_000 });
      assert.match((await hover.textContent()) ?? '', /backend-[a-z0-9]+-[a-z0-9]{5} ready/);
      await page.screenshot({ path: join(RESULTS, '5-diagnostics-hover.png') });
      await page.keyboard.press('Escape');
      // In the editor, on the flagged targetPort: the code action widget lists the quick fixes.
      await page
        .locator('.monaco-editor .view-line', { hasText: 'targetPort: metrics' })
        .first()
        .locator('span', { hasText: /^metrics$/ })
        .first()
        .click();
      // Away from the word, so that its hover does not open over the code action widget.
      await page.mouse.move(0, 0);
      const fix = page
        .locator('.action-widget .monaco-list-row', { hasText: 'Set targetPort to http' })
        .first();
      // Once in three CI runs the widget did not open on the first Ctrl+. (no server error logged):
      // ask up to three times, and say so when it took more than one.
      for (let attempt = 1; ; attempt++) {
        await page.keyboard.press('Control+.');
        const shown = await fix.waitFor({ timeout: 5_000 }).then(
          () => true,
          () => false,
        );
        if (shown) {
          if (attempt > 1) {
            t.diagnostic(`the quick fix was listed on attempt ${attempt}`);
          }
          break;
        }
        assert.ok(attempt < 3, 'Ctrl+. on the flagged targetPort never listed "Set targetPort to http"');
        await page.keyboard.press('Escape');
      }
      await fix.click();
      await problem.waitFor({ state: 'detached', timeout: 15_000 });
      // Monaco renders spaces as no-break spaces; hasText normalises them.
      assert.ok(
        (await page.locator('.monaco-editor .view-line', { hasText: 'targetPort: http' }).count()) >= 2,
        'the fix wrote targetPort: http',
      );
      await page.screenshot({ path: join(RESULTS, '5-diagnostics-fixed.png') });
    });
  });

  test('6. the probe matrix over the demo Pods renders', async (t) => {
    await step(t, '6-matrix', async () => {
      await page.keyboard.press('F1');
      await page.keyboard.type('KubeReach: Probe Matrix');
      await page
        .locator('.quick-input-widget .monaco-list-row', { hasText: 'Probe Matrix' })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      const grid = page.frameLocator('iframe.webview').frameLocator('iframe').locator('table[role="grid"]');
      await grid.waitFor({ timeout: 120_000 });
      const cells = await grid.locator('td[data-row]').count();
      assert.ok(cells >= 49, `${cells} cells`);
      assert.ok((await grid.locator('td.ok').count()) > 0, 'some pairs reachable');
      assert.ok((await grid.locator('td.bad').count()) > 0, 'some pairs not');
    });
  });

  test('7. the extension host reports the activation, by the view, with its time', async (t) => {
    await step(t, '7-activation', async () => {
      const records = activationRecords(codeServer.logsDir).filter(
        (r) => r.extensionId === 'kubereach.kubereach',
      );
      assert.deepEqual(records, [
        { extensionId: 'kubereach.kubereach', startup: false, event: 'onView:kubereach.explorer' },
      ]);
      const activation = (await runningExtensionActivations(page, ['KubeReach'])).get('KubeReach')!;
      // Recorded, not asserted against the 100 ms floor: one sample is not a measurement.
      // bench/vscode-activation.bench.ts measures it (medians, against a minimal extension).
      writeFileSync(
        join(RESULTS, 'activation.json'),
        JSON.stringify({ ...activation, settled }, null, 2) + '\n',
      );
      t.diagnostic(`KubeReach activation: ${activation.ms} ms (extension host timing)`);
      assert.ok(Number.isInteger(activation.ms) && activation.ms >= 0, `${activation.ms}`);
    });
  });

  test('8. Switch Context: the explorer shows what the identity may not read, and the language server follows within seconds', async (t) => {
    await step(t, '8-switch-context', async () => {
      // Step 7 left Running Extensions open over the editor.
      await page.keyboard.press('Escape');
      // The Explorer view may be showing already (a click on its icon would then close the side bar).
      const file = page.getByRole('treeitem', { name: /^data\.yaml/ }).first();
      if (!(await file.isVisible())) {
        await page.locator('.activitybar .action-item a[aria-label^="Explorer"]').click();
      }
      await file.click();
      await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: 30_000 });
      const problems = page.locator('.markers-panel');
      if (!(await problems.isVisible())) {
        await page.keyboard.press('Control+Shift+M');
      }
      const finding = page.locator('.markers-panel .monaco-list-row', { hasText: 'KR4001' }).first();
      await finding.waitFor({ timeout: 30_000 });

      await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click();
      let switched = performance.now();
      await row(/^kubereach-sandbox-shop-viewer /).click();
      await row(/^data no access/).waitFor({ timeout: 30_000 });
      await finding.waitFor({ state: 'detached', timeout: 15_000 });
      t.diagnostic(`diagnostics followed the switch in ${Math.round(performance.now() - switched)} ms`);
      await row(/^data no access/).click();
      // A message node's accessible name is its tooltip (the server's reason): find it by its text.
      await page
        .locator('.monaco-list-row[role="treeitem"]', { hasText: 'Forbidden: no access to Pods or Services' })
        .first()
        .waitFor();
      await page.screenshot({ path: join(RESULTS, '8-switch-context-forbidden.png') });

      switched = performance.now();
      await row(/^kubereach-sandbox /).click();
      await page
        .locator('.markers-panel .monaco-list-row', { hasText: 'KR4001' })
        .first()
        .waitFor({ timeout: 15_000 });
      t.diagnostic(`and back in ${Math.round(performance.now() - switched)} ms`);
      await row(/^data \d+ pods?/).waitFor({ timeout: 30_000 });
    });
  });

  test('9. Diagnose External Access… on an Ingress route: the broken path fails at the backend port, with the live probes', async (t) => {
    await step(t, '9-external', async () => {
      await page.keyboard.press('Escape');
      // Step 8 left the explorer on the admin context with namespace data expanded.
      await row(/^data \d+ pods?/).click();
      await row(/^shop /).click();
      await row(/^Ingresses 1/).click();
      await row(/^frontend /).click();
      await contextMenu(/^shop\.example\.com\/admin/, 'Diagnose External Access…');
      const report = page.frameLocator('iframe.webview').last().frameLocator('iframe');
      const failed = report.locator('li.hop.failed').first();
      await failed.waitFor({ timeout: 60_000 });
      assert.match((await failed.textContent()) ?? '', /Backend Service and port/);
      await report.locator('.conclusion.failed').waitFor();
      // The live probes ran: the Ingress answered 503 for the path with no such Service port.
      assert.match((await report.locator('body').textContent()) ?? '', /503/);
      // Away from the tree (its tooltip would cover the report), and the progress notification gone.
      await report.locator('h2').click();
      await page.mouse.move(700, 1700);
      await page
        .locator('.notifications-toasts .monaco-list-row', { hasText: 'Diagnosing external access' })
        .waitFor({ state: 'detached', timeout: 15_000 });
      await page.screenshot({ path: join(RESULTS, '9-external-report.png') });
    });
  });

  const e2e: E2E = {
    get page() {
      return page;
    },
    get sandbox() {
      return sandbox;
    },
    get codeServer() {
      return codeServer;
    },
    get workspace() {
      return workspace;
    },
    results: RESULTS,
    step,
    row,
  };
  for (const module of stepModules) {
    module.register(e2e);
  }
});
