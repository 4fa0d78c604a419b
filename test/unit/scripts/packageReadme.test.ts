/** The packaged README: relative images inline as data: URIs, everything else as written. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inlineImages } from '../../../scripts/packageReadme.ts';

const files: Record<string, Buffer> = {
  'docs/a.png': Buffer.from([137, 80, 78, 71]),
  'b.JPG': Buffer.from('jpeg'),
};
const read = (path: string) => {
  const file = files[path];
  assert.ok(file, `read ${path}`);
  return file;
};

test('relative PNG and JPEG images become data: URIs of their bytes', () => {
  assert.equal(
    inlineImages('Look: ![A view](docs/a.png)\n\n![b](b.JPG) end', read),
    'Look: ![A view](data:image/png;base64,iVBORw==)\n\n![b](data:image/jpeg;base64,anBlZw==) end',
  );
});

test('links, https images and text stay as they are', () => {
  const markdown = 'See [the docs](docs/features.md) and ![badge](https://example.com/b.png).';
  assert.equal(inlineImages(markdown, read), markdown);
});

test('an SVG is refused, as vsce would refuse it', () => {
  assert.throws(() => inlineImages('![logo](media/kubereach.svg)', read), /not PNG, JPEG or GIF/);
});
