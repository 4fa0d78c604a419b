/**
 * The end-to-end suite runs one code-server for every step. Steps beyond the core walk of
 * `workbench.test.ts` live one feature per file in `test/e2e/steps/` (run in file-name order, after
 * the core steps), each exporting `register(e2e)` that declares its `test`s against the shared
 * workbench, so that features add files rather than length to one suite.
 */
import type { TestContext } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import type { Sandbox } from '../../../sandbox/index.ts';
import type { CodeServer } from './codeServer.ts';

export interface E2E {
  /** The page of the running workbench (valid inside a test). */
  readonly page: Page;
  readonly sandbox: Sandbox;
  readonly codeServer: CodeServer;
  /** A writable copy of test/fixtures/e2e-workspace opened in the workbench. */
  readonly workspace: string;
  /** Where screenshots and failure logs go. */
  readonly results: string;
  /** Runs a step body; saves `<name>.png` on success, a screenshot and the logs on failure. */
  step(t: TestContext, name: string, body: () => Promise<void>): Promise<void>;
  /** The first tree row whose accessible name matches. */
  row(name: RegExp): Locator;
}

export interface StepModule {
  register(e2e: E2E): void;
}
