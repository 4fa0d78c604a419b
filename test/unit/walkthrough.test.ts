/**
 * The Get Started walkthrough: every step completes on an event something really fires (a context
 * key the extension sets, or a view VS Code opens), has media that ship in the .vsix, and links
 * only commands that exist.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string };
  completionEvents: string[];
}
const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  contributes: {
    walkthroughs: { id: string; steps: Step[] }[];
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
  };
};
const [walkthrough] = manifest.contributes.walkthroughs;
const tracker = readFileSync(resolve(root, 'src/ui/walkthrough.ts'), 'utf8');
const ignore = readFileSync(resolve(root, '.vscodeignore'), 'utf8').split('\n');

test('the steps: connect, open the view, forward, probe, diagnose, open a manifest', () => {
  assert.deepEqual(
    walkthrough!.steps.map((step) => step.id),
    ['connect', 'openView', 'portForward', 'probe', 'diagnose', 'manifest'],
  );
});

test('each step completes on a context key the extension sets, or on its view', () => {
  const views = Object.values(manifest.contributes.views)
    .flat()
    .map((view) => view.id);
  for (const step of walkthrough!.steps) {
    assert.ok(step.completionEvents.length > 0, `${step.id} has a completion event`);
    for (const event of step.completionEvents) {
      const [kind, value] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
      if (kind === 'onContext') {
        assert.ok(tracker.includes(`'${value}'`), `${step.id}: src/ui/walkthrough.ts sets ${value}`);
      } else {
        assert.equal(kind, 'onView', `${step.id}: ${event}`);
        assert.ok(views.includes(value), `${step.id}: ${value} is a view of KubeReach`);
      }
    }
  }
});

test("each step's media exist and are packaged", () => {
  for (const step of walkthrough!.steps) {
    const media = step.media.markdown ?? step.media.image;
    assert.ok(media, `${step.id} has media`);
    assert.ok(existsSync(resolve(root, media)), `${media} exists`);
    assert.ok(
      ignore.some(
        (line) => line === `!${media}` || (line.endsWith('/*.md') && media.startsWith(line.slice(1, -4))),
      ),
      `${media} is allowed into the .vsix by .vscodeignore`,
    );
  }
});

test('the command links name KubeReach commands or built-in ones', () => {
  const ours = new Set(manifest.contributes.commands.map((command) => command.command));
  const builtIn = new Set(['kubereach.explorer.focus', 'workbench.action.quickOpen']);
  for (const step of walkthrough!.steps) {
    for (const [, command] of step.description.matchAll(/\(command:([\w.]+)/g)) {
      assert.ok(ours.has(command!) || builtIn.has(command!), `${step.id}: ${command} exists`);
    }
  }
});
