/// <reference lib="dom" />
/**
 * The README's three pictures (issue 16), taken from the real workbench so that they follow the UI:
 * test-results/readme/{explorer,probe,diagnosis}.png, copied by hand into docs/screenshots/
 * (CONTRIBUTING.md says how). Runs last: it rearranges the workbench (a smaller window, a wider side
 * bar, the panel and the secondary side bar hidden) and puts the suite's window back afterwards.
 * Each picture is asserted to show what its alt text says, so a changed UI fails here rather than
 * landing a picture of something else.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { E2E } from '../support/steps.ts';
import {
  collapse,
  FRONTEND_POD,
  contextMenu,
  expand,
  pick,
  quickInput,
  quickInputTitle,
  runCommand,
  toasts,
} from '../support/ui.ts';

/** The README's window: wide enough for the labels, short enough to leave no empty band. */
const WINDOW = { width: 1400, height: 860 };
/** The probe's picture: the side bar, the toast beside it, the status bar. */
const PROBE_WINDOW = { width: 1100, height: 740 };
/** Tall enough for namespace shop's Pods and Services, unscrolled (the picture ends at the last row). */
const EXPLORER_WINDOW = { width: 1400, height: 1100 };
/** The side bar's width in the pictures of the tree: Pod names and their descriptions untruncated. */
const SIDE_BAR_WIDTH = 560;

type Box = { x: number; y: number; width: number; height: number };

async function box(locator: Locator): Promise<Box> {
  const found = await locator.boundingBox();
  assert.ok(found, 'the element to frame is on screen');
  return found;
}

/** The smallest rectangle around `boxes`, widened by `margin` on the right and below, kept inside the window. */
function frame(page: Page, boxes: Box[], margin = 8): Box {
  const size = page.viewportSize()!;
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)));
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)));
  const right = Math.min(size.width, Math.max(...boxes.map((b) => b.x + b.width)) + margin);
  const bottom = Math.min(size.height, Math.max(...boxes.map((b) => b.y + b.height)) + margin);
  return { x, y, width: right - x, height: bottom - y };
}

/** Hides a workbench part when it shows (a hidden one has nothing to hide, and the command would fail). */
async function hidePart(page: Page, selector: string, command: string): Promise<void> {
  if (await page.locator(selector).isVisible()) {
    await runCommand(page, command);
    await page.locator(selector).waitFor({ state: 'hidden', timeout: 10_000 });
  }
}

/** Opens or folds a view of the KubeReach container by its header. */
async function setViewExpanded(page: Page, title: string, expanded: boolean): Promise<void> {
  const header = page.locator('.part.sidebar .pane-header', { hasText: title }).first();
  await header.waitFor({ timeout: 10_000 });
  if ((await header.getAttribute('aria-expanded')) !== String(expanded)) {
    await header.click();
  }
}

/** Drags the sash between the side bar and the editor so that the side bar is `width` wide. */
async function setSideBarWidth(page: Page, width: number): Promise<void> {
  const sideBar = await box(page.locator('.part.sidebar'));
  const y = sideBar.y + sideBar.height / 2;
  await page.mouse.move(sideBar.x + sideBar.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(sideBar.x + width, y, { steps: 5 });
  await page.mouse.up();
  const after = await box(page.locator('.part.sidebar'));
  assert.ok(Math.abs(after.width - width) < 24, `the side bar is ${after.width} px wide, not ${width}`);
}

/**
 * Scrolls the cluster tree until the row `name` is its third, or the tree's end shows, so that the
 * rows the picture is about are not below the fold. Third: the first is the context, kept on top by
 * the tree's sticky scroll, and an open row right under it would turn sticky too, with its children
 * (covering the first of them). By small steps: the list turns a wheel event into a distance of its own.
 */
async function scrollTreeTo(page: Page, name: RegExp): Promise<void> {
  const list = await box(page.locator('.part.sidebar .monaco-list').first());
  const target = page.getByRole('treeitem', { name }).first();
  const rowHeight = (await box(target)).height;
  // The first row's top, measured before scrolling: the top of the rows.
  const top = (await box(page.locator('.part.sidebar .monaco-list-row[role="treeitem"]').first())).y;
  await page.mouse.move(list.x + list.width / 2, top + 10);
  for (let turn = 0; turn < 300; turn++) {
    const before = (await box(target)).y;
    const distance = before - top - 2 * rowHeight;
    if (distance < 4) {
      break;
    }
    await page.mouse.wheel(0, distance > 7 * rowHeight ? 60 : 4);
    const moved = await page
      .waitForFunction(
        ({ source, before }) =>
          [...document.querySelectorAll('.part.sidebar .monaco-list-row[role="treeitem"]')].some(
            (row) =>
              new RegExp(source).test(row.getAttribute('aria-label') ?? '') &&
              row.getBoundingClientRect().top < before - 1,
          ),
        { source: name.source, before },
        { timeout: 2_000 },
      )
      .then(
        () => true,
        () => false,
      );
    if (!moved) {
      break; // the end of the tree
    }
  }
  await page.mouse.move(10, 10);
}

/**
 * Probe from Pod… on a frontend Pod, to `target` (a Service's `name[.namespace]:port`). Typed into
 * the picker: in this smaller window a target of another namespace is below the rows drawn.
 */
async function probeFromFrontend(page: Page, target: string): Promise<void> {
  await contextMenu(page, FRONTEND_POD, 'Probe from Pod…');
  await quickInputTitle(page, /Probe from shop\/frontend-/);
  await quickInput(page).locator('.monaco-list-row', { hasText: 'backend:80' }).first().waitFor();
  await quickInput(page).locator('input').fill(target);
  await pick(page, target);
}

export function register(e2e: E2E): void {
  test('90. the README screenshots: the explorer, a failed probe, its diagnosis', async (t) => {
    await e2e.step(t, '90-readme-screenshots', async () => {
      const { page, row } = e2e;
      const out = join(e2e.results, 'readme');
      mkdirSync(out, { recursive: true });
      const suiteWindow = page.viewportSize()!;
      const icon = (name: RegExp) => row(name).locator('.custom-view-tree-node-item-icon');
      try {
        await page.setViewportSize(EXPLORER_WINDOW);
        await page.keyboard.press('Escape');
        await runCommand(page, 'View: Close All Editors');
        await runCommand(page, 'Notifications: Clear All Notifications');
        await hidePart(page, '.part.panel', 'View: Hide Panel');
        await hidePart(page, '.part.auxiliarybar', 'View: Hide Secondary Side Bar');
        if (!(await row(/^kubereach-sandbox /).isVisible())) {
          await page.locator('.activitybar .action-item a[aria-label^="KubeReach"]').click();
        }
        await row(/^kubereach-sandbox /).waitFor({ timeout: 30_000 });
        await setSideBarWidth(page, SIDE_BAR_WIDTH);

        // 1. The explorer: namespace shop with its Pods and their states, its Services with
        // legacy-api flagged, and legacy-api's hover saying why.
        await setViewExpanded(page, 'Active Forwards', false);
        await setViewExpanded(page, 'Probe Results', false);
        for (const other of [/^data \d/, /^store \d/, /^Nodes \d/]) {
          await collapse(page, other);
        }
        await expand(page, /^shop /);
        await collapse(page, /^Ingresses 1/);
        await expand(page, /^Pods 6/);
        await expand(page, /^Services 8/);
        await row(/^legacy-api /).waitFor({ timeout: 30_000 });
        assert.match((await icon(/^frontend-/).getAttribute('class')) ?? '', /codicon-pass-filled/);
        assert.match((await icon(/^checkout /).getAttribute('class')) ?? '', /codicon-warning/);
        assert.match((await icon(/^legacy-api /).getAttribute('class')) ?? '', /codicon-warning/);
        await page.mouse.move(WINDOW.width - 10, WINDOW.height - 60);
        // On the row's description: the hover opens at the mouse, mostly beside the tree rather than over its rows.
        const legacy = row(/^legacy-api /);
        const legacyBox = await box(legacy);
        await legacy.hover({ position: { x: legacyBox.width - 100, y: legacyBox.height / 2 } });
        const hover = page.locator('.monaco-hover', { hasText: 'Selector matches no Pod' }).first();
        await hover.waitFor({ timeout: 15_000 });
        assert.match(
          (await hover.textContent()) ?? '',
          /Service legacy-api in namespace shop.*matches 0 Pods/s,
        );
        // Down to the tree's last row: the folded views below it would only add an empty band.
        const treeBottom = await page
          .locator('.part.sidebar .monaco-list-row[role="treeitem"]')
          .evaluateAll((rows) => Math.max(...rows.map((element) => element.getBoundingClientRect().bottom)));
        const sideBar = await box(page.locator('.part.sidebar'));
        await page.screenshot({
          path: join(out, 'explorer.png'),
          clip: frame(page, [
            { x: 0, y: sideBar.y, width: sideBar.x + sideBar.width, height: treeBottom - sideBar.y },
            await box(hover),
          ]),
        });

        // 2. A probe: the failure in one toast with "Why?", the success in the status bar, both
        // in Probe Results. A narrower, shorter window: the editor area stays empty here.
        await page.mouse.move(10, 10);
        await page.setViewportSize(PROBE_WINDOW);
        await setSideBarWidth(page, SIDE_BAR_WIDTH);
        await collapse(page, /^Services 8/);
        await setViewExpanded(page, 'Probe Results', true);
        await scrollTreeTo(page, /^shop /);
        await probeFromFrontend(page, 'db.data:5432');
        const failure = toasts(page, /db\.data:5432/);
        await failure.first().waitFor({ timeout: 30_000 });
        assert.match((await failure.first().textContent()) ?? '', /→ db\.data:5432: No answer/);
        await failure.first().locator('.monaco-button', { hasText: 'Why?' }).waitFor();
        await page
          .getByRole('treeitem', { name: /→ db\.data:5432 .*timeout/ })
          .first()
          .waitFor({ timeout: 10_000 });
        const success = page.locator('.statusbar-item', { hasText: /→ backend:80: HTTP 200/ }).first();
        const progress = page.locator('.notifications-toasts .notification-list-item', {
          hasText: 'Probing',
        });
        // The success's status bar message lasts 5 s: probe again if it went before the picture was taken.
        for (let attempt = 1; ; attempt++) {
          await probeFromFrontend(page, 'backend:80');
          await success.waitFor({ timeout: 30_000 });
          await progress.first().waitFor({ state: 'detached', timeout: 10_000 });
          await page.mouse.move(PROBE_WINDOW.width - 200, 60);
          await page.screenshot({ path: join(out, 'probe.png') });
          if (await success.isVisible()) {
            break;
          }
          assert.ok(
            attempt < 3,
            'the status bar message of the success went before the picture, three times',
          );
          t.diagnostic(`probe.png: the status bar message went before the picture (attempt ${attempt})`);
        }
        assert.equal(await failure.count(), 1, 'one toast, for the failure');
        await page
          .getByRole('treeitem', { name: /→ backend:80 .*HTTP 200/ })
          .first()
          .waitFor({ timeout: 10_000 });
        assert.equal(await toasts(page, /backend:80/).count(), 0, 'no toast for the success');

        // 3. The diagnosis of that pair: the failing NetworkPolicy hop and the fix to copy.
        // The side bar hidden first: once the report has the focus, the palette may not open.
        await page.setViewportSize(WINDOW);
        await runCommand(page, 'View: Close Primary Side Bar');
        await page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: 10_000 });
        await failure.first().locator('.monaco-button', { hasText: 'Why?' }).click();
        await page
          .locator('.tabs-container .tab', { hasText: /^Diagnosis: shop\/frontend-.* → db\.data:5432/ })
          .first()
          .waitFor({ timeout: 60_000 });
        const report = page.frameLocator('iframe.webview').last().frameLocator('iframe');
        const failed = report.locator('li.hop.failed').first();
        await failed.waitFor({ timeout: 60_000 });
        assert.match((await failed.textContent()) ?? '', /NetworkPolicy ingress of the target/);
        const conclusion = report.locator('.conclusion.failed');
        assert.match(
          (await conclusion.textContent()) ?? '',
          /cannot reach db\.data:5432 because policy data\/db-allow-backend-only/,
        );
        await conclusion.locator('.yaml button.copy').waitFor();
        await page
          .locator('.notifications-toasts .notification-list-item', { hasText: 'Diagnosing' })
          .first()
          .waitFor({ state: 'detached', timeout: 60_000 });
        // On the report's empty corner: over the title bar the command center's hover would open.
        await page.mouse.move(WINDOW.width - 10, WINDOW.height - 40);
        const chain = await box(report.locator('ol.chain'));
        await page.screenshot({
          path: join(out, 'diagnosis.png'),
          clip: {
            x: 0,
            y: 0,
            width: WINDOW.width,
            height: Math.min(WINDOW.height, chain.y + chain.height + 16),
          },
        });
      } finally {
        await page.mouse.move(10, (page.viewportSize()?.height ?? 100) / 2);
        await page.keyboard.press('Escape');
        // By the tab's close button: the palette may not open while the report has the focus.
        const closeTab = page.locator('.tabs-container .tab .tab-actions .action-label').first();
        for (let open = 0; open < 5 && (await closeTab.isVisible()); open++) {
          await closeTab.click();
        }
        await runCommand(page, 'View: Close All Editors');
        await runCommand(page, 'Notifications: Clear All Notifications');
        if (!(await page.locator('.part.sidebar').isVisible())) {
          await runCommand(page, 'View: Toggle Primary Side Bar Visibility');
        }
        await page.setViewportSize(suiteWindow);
      }
    });
  });
}
