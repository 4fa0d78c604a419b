/**
 * Hovers are Markdown built from names written by others (a workspace file, the cluster): whatever
 * those names hold, they must render as text, never as an image, a link, HTML or a new block.
 * Rendered with markdown-it (CommonMark, HTML allowed: the worst case for an editor).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { escapeMarkdown, markdownCode } from '../../../src/analysis/markdown.ts';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { hoverAt } from '../../../src/analysis/manifests/hover.ts';
import type { HoverContext } from '../../../src/analysis/manifests/hover.ts';
import type { WorkloadTemplate } from '../../../src/analysis/manifests/workloads.ts';
import { clusterOf, livePod, workloadsOf } from './helpers.ts';

type Renderer = { render(markdown: string): string };
const MarkdownIt = createRequire(import.meta.url)('markdown-it') as new (options: object) => Renderer;
const renderer = new MarkdownIt({ html: true, linkify: false });

const IMAGE = '![x](https://evil.example/i.png)';
const HOSTILE = [
  `web\n${IMAGE}`,
  'a`b``c',
  '[link](http://evil.example/)',
  '<img src=x onerror=alert(1)>',
  '<b>bold</b>',
  '\n# heading\n- item',
  `x\r\n\r\n${IMAGE}`,
];

/** No element a name could have smuggled in. */
function assertInert(markdown: string): void {
  const html = renderer.render(markdown);
  assert.doesNotMatch(html, /<img|<a |<script|<b>|<h1|<h2/, `${markdown}\n=>\n${html}`);
  assert.doesNotMatch(html, /<em>|<strong>[^<]*(evil|link)/, html);
}

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${JSON.stringify(name)}
  namespace: shop
spec:
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: ${JSON.stringify(name)}
          ports: [{ name: http, containerPort: 8080 }]
`;

const text = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: ${JSON.stringify(`http\n${IMAGE}`)}
    - name: plain
      port: 81
      targetPort: http
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: shop }
spec:
  podSelector:
    matchLabels: { app: web }
`;
const file = parseManifestFile(text);

function hostileContext(name: string): HoverContext {
  const workloads: WorkloadTemplate[] = workloadsOf(deployment(name)).map((workload) => ({
    ...workload,
    source: { uri: 'file:///w/x.yaml', line: 3, label: `dir/${name}.yaml` },
  }));
  const pod = livePod(name, { app: 'web' }, { ip: name });
  const weird = { ...pod, status: { ...pod.status, phase: name as 'Running' } };
  return {
    workspace: { complete: true, workloads: () => workloads },
    cluster: {
      ...clusterOf([weird], {
        slices: {
          web: [
            {
              ports: [{ name: 'plain', port: 8080, protocol: 'TCP' }],
              endpoints: [{ addresses: [name], targetRef: { kind: 'Pod', name } }],
            },
          ],
        },
      }),
      context: name,
    },
  };
}

function hoverOn(needle: string, delta: number, context: HoverContext): string {
  const result = hoverAt(file, text.indexOf(needle) + delta, context);
  assert.ok(result, `a hover on ${needle}`);
  return result.markdown;
}

describe('hostile names in hovers render as text', () => {
  for (const name of HOSTILE) {
    test(JSON.stringify(name), () => {
      const context = hostileContext(name);
      for (const [needle, delta] of [
        ['selector:', 1],
        ['targetPort: "', 3],
        ['targetPort: http', 3],
        ['port: 81', 2],
        ['podSelector', 1],
      ] as const) {
        assertInert(hoverOn(needle, delta, context));
      }
      const withNote = hoverOn('selector:', 1, {
        workspace: context.workspace!,
        clusterNote: `kubeconfig ${name} unreadable`,
      });
      assertInert(withNote);
    });
  }

  test('the name is still there, literally, on one line', () => {
    const markdown = hoverOn('selector:', 1, hostileContext(`web\n${IMAGE}`));
    const html = renderer.render(markdown);
    assert.ok(html.includes('web ![x](https://evil.example/i.png)'), html);
    // One list item per workload and per Pod: the newline in the name started no block.
    assert.equal((html.match(/<li>/g) ?? []).length, 2, html);
  });

  test('the shared helpers', () => {
    assert.equal(markdownCode('a\nb'), '`a b`');
    assert.equal(escapeMarkdown(IMAGE), '!\\[x\\](https://evil.example/i.png)');
  });
});
