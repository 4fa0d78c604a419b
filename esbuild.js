// Bundles the extension host entry and the language server into dist/.
//   node esbuild.js               development build with source maps
//   node esbuild.js --production  minified, no source maps (what `npm run package` ships)
//   node esbuild.js --watch       rebuild on change, with `tsc --noEmit --watch` beside it
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// --outdir DIR builds elsewhere (the activation benchmark builds a production bundle aside).
const outdir = process.argv.includes('--outdir')
  ? process.argv[process.argv.indexOf('--outdir') + 1]
  : 'dist';

/** Prints esbuild's problems in the `file:line:col: message` form VS Code's problem matchers read. */
const problemReporter = {
  name: 'problem-reporter',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) {
          console.error(`    ${location.file}:${location.line}:${location.column}:`);
        }
      }
      console.log('[watch] build finished');
    });
  },
};

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  // The extension host of the oldest VS Code we support (1.105) runs Node 22.19 (see README).
  target: 'node22.19',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: watch ? 'silent' : 'warning',
  legalComments: 'none',
  // ws's optional native helpers: ws falls back to JavaScript when they cannot be required.
  external: ['bufferutil', 'utf-8-validate'],
  define: { 'process.env.KUBEREACH_VERSION': JSON.stringify(version) },
  plugins: watch ? [problemReporter] : [],
};

const builds = [
  // What activation loads is kept small: the cluster layer (client-node) is its own bundle, required
  // on the turn after activation (see src/cluster/index.ts), and so is the language client, required
  // when the first YAML document opens (see src/language/library.ts).
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir,
    external: ['vscode', './cluster.js', './languageClient.js', ...common.external],
  },
  { ...common, entryPoints: { cluster: 'src/cluster/index.ts' }, outdir },
  {
    ...common,
    entryPoints: { languageClient: 'src/language/library.ts' },
    outdir,
    external: ['vscode', ...common.external],
  },
  { ...common, entryPoints: { server: 'src/server/main.ts' }, outdir },
  // The `kubereach` command line. It loads ./cluster.js (client-node) only for the commands that
  // talk to a cluster, so `kubereach check` runs on older Node too (see src/cli/cluster.ts).
  {
    ...common,
    entryPoints: { cli: 'src/cli/entry.ts' },
    outdir,
    target: 'node20',
    external: ['./cluster.js', ...common.external],
  },
];

// The repository's package.json says "type": "module" so that Node runs the TypeScript sources
// directly; the bundles are CommonJS, which is what the extension host loads through `main`.
// Start from an empty dist/ so a production build never ships a development build's source maps.
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
writeFileSync(`${outdir}/package.json`, JSON.stringify({ type: 'commonjs' }) + '\n');

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  const tsc = spawn('tsc', ['--noEmit', '--watch', '--preserveWatchOutput'], { stdio: 'inherit' });
  const stop = async () => {
    tsc.kill();
    await Promise.all(contexts.map((context) => context.dispose()));
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
