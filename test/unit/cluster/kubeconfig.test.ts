import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { resolveKubeconfigSources } from '../../../src/cluster/kubeconfig.ts';

const home = '/home/dev';
const homeConfig = join(home, '.kube', 'config');
const existing =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path);

test('KUBECONFIG wins, split on the delimiter, empty entries dropped, duplicates once, in order', () => {
  const sources = resolveKubeconfigSources({
    env: { KUBECONFIG: '/a/one::/b/two:/a/one: ' },
    homeDir: home,
    settingPath: '/set/config',
    trusted: true,
    delimiter: ':',
    fileExists: existing(homeConfig),
  });
  assert.deepEqual(sources, {
    files: ['/a/one', '/b/two'],
    from: 'env',
    settingIgnored: false,
    watch: ['/a/one', '/b/two'],
  });
});

test('the Windows delimiter', () => {
  const sources = resolveKubeconfigSources({
    env: { KUBECONFIG: '/a/one;/b/two' },
    homeDir: home,
    trusted: true,
    delimiter: ';',
  });
  assert.deepEqual(sources.files, ['/a/one', '/b/two']);
});

test('relative KUBECONFIG entries resolve against the working folder, as kubectl does', () => {
  const sources = resolveKubeconfigSources({
    env: { KUBECONFIG: 'rel/config' },
    homeDir: home,
    trusted: true,
  });
  assert.deepEqual(sources.files, [resolve('rel/config')]);
});

test('an empty or blank KUBECONFIG falls through to ~/.kube/config when it exists', () => {
  for (const KUBECONFIG of [undefined, '', ':', '  ']) {
    const sources = resolveKubeconfigSources({
      env: { KUBECONFIG },
      homeDir: home,
      settingPath: '/set/config',
      trusted: true,
      delimiter: ':',
      fileExists: existing(homeConfig),
    });
    assert.deepEqual(sources, {
      files: [homeConfig],
      from: 'home',
      settingIgnored: false,
      watch: [homeConfig],
    });
  }
});

test('the setting when neither KUBECONFIG nor ~/.kube/config; ~ expands; home still watched', () => {
  const sources = resolveKubeconfigSources({
    env: {},
    homeDir: home,
    settingPath: '~/clusters/dev.yaml',
    trusted: true,
    fileExists: existing(),
  });
  assert.deepEqual(sources, {
    files: [join(home, 'clusters', 'dev.yaml')],
    from: 'setting',
    settingIgnored: false,
    watch: [homeConfig, join(home, 'clusters', 'dev.yaml')],
  });
});

test('the setting is ignored in an untrusted workspace', () => {
  const sources = resolveKubeconfigSources({
    env: {},
    homeDir: home,
    settingPath: '/workspace/evil-kubeconfig',
    trusted: false,
    fileExists: existing(),
  });
  assert.deepEqual(sources, { files: [], from: 'none', settingIgnored: true, watch: [homeConfig] });
});

test('untrusted does not matter when the setting would not be used anyway', () => {
  const sources = resolveKubeconfigSources({
    env: {},
    homeDir: home,
    settingPath: '/x',
    trusted: false,
    fileExists: existing(homeConfig),
  });
  assert.equal(sources.from, 'home');
  assert.equal(sources.settingIgnored, false);
});

test('nothing at all', () => {
  assert.deepEqual(
    resolveKubeconfigSources({ env: {}, homeDir: undefined, settingPath: '  ', trusted: true }),
    { files: [], from: 'none', settingIgnored: false, watch: [] },
  );
});
