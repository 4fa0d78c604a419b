/**
 * The README as the .vsix carries it: VS Code's extension page shows only `https:` and `data:`
 * images (its webview's policy is `img-src https: data:` and it gives relative paths no base), and
 * KubeReach has no public repository for vsce to rewrite relative links to. So the packaged README
 * carries its few screenshots inline, as `data:` URIs; the repository's README keeps relative links.
 *
 * `npm run package` runs this, then `vsce package --readme-path` with the file it writes.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
};

/** Replaces each relative Markdown image by a `data:` URI of the file; other images are left alone. */
export function inlineImages(markdown: string, read: (path: string) => Buffer): string {
  return markdown.replace(
    /(!\[[^\]]*\]\()([^)\s]+)(\))/g,
    (all, open: string, path: string, close: string) => {
      if (/^[a-z][\w+.-]*:/i.test(path)) {
        return all;
      }
      const type = TYPES[path.split('.').pop()!.toLowerCase()];
      if (!type) {
        throw new Error(`The README's image ${path} is not PNG, JPEG or GIF (SVG is refused by vsce)`);
      }
      return `${open}data:${type};base64,${read(path).toString('base64')}${close}`;
    },
  );
}

export const PACKAGED_README = '.cache/package/README.md';

if (import.meta.main) {
  const root = resolve(import.meta.dirname, '..');
  const output = join(root, PACKAGED_README);
  mkdirSync(dirname(output), { recursive: true });
  writeFileSync(
    output,
    inlineImages(readFileSync(join(root, 'README.md'), 'utf8'), (path) => readFileSync(join(root, path))),
  );
}
