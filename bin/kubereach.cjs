#!/usr/bin/env node
// The `kubereach` bin: runs the bundle `npm run build` makes (npm ci makes it too, through the
// `prepare` script). CommonJS, and nothing newer than Node 12 can read, so that an old Node gets
// this sentence rather than a syntax error.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'cli.js');
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  process.stderr.write(`error: kubereach needs Node 20 or newer; this is Node ${process.versions.node}\n`);
  process.exit(2);
}
if (!existsSync(bundle)) {
  process.stderr.write(`error: ${bundle} is not built; run "npm run build" in ${join(__dirname, '..')}\n`);
  process.exit(2);
}
require(bundle);
