/**
 * What `npm run demo` needs, checked before it builds, downloads or starts anything, so that a
 * fresh machine hears in one line what to install instead of failing minutes later in node-gyp.
 *
 * The checks are pure over injected probes (`PreflightProbes`); `systemProbes()` answers them from
 * the real machine. The demo needs:
 * - a platform code-server installs on (Linux or macOS; Windows through WSL 2);
 * - the Node that code-server 4.139 runs on (24: the project's own, from `npm ci`);
 * - `unzip` (the .vsix is unpacked into code-server's extensions folder);
 * - the sandbox's addresses: Pods get addresses across 127.0.0.0/8, which Linux routes to loopback
 *   and macOS does not beyond 127.0.0.1 (aliases are needed there);
 * - the port code-server is to listen on, free on 127.0.0.1;
 * - only while code-server is not installed yet: what its native modules (kerberos, argon2) build
 *   with: a C++ compiler, make, python3 and the Kerberos (GSSAPI) headers of libkrb5-dev.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const NODE_MAJOR = 24;

export interface PreflightProbes {
  readonly platform: NodeJS.Platform;
  /** `process.versions.node`. */
  readonly nodeVersion: string;
  /** The `ID` and `ID_LIKE` words of /etc/os-release (empty elsewhere). */
  readonly distro: readonly string[];
  /** Whether code-server is already installed (then nothing is built). */
  readonly codeServerInstalled: boolean;
  /** The port code-server is asked to listen on. */
  readonly port: number;
  hasCommand(name: string): boolean;
  /** Whether a header (`gssapi/gssapi.h`) is in one of the compiler's include directories. */
  hasHeader(name: string): boolean;
  /** Whether a TCP listener can be opened on address:port (port 0: any). */
  canListen(address: string, port: number): Promise<boolean>;
}

/** One thing missing: what, and the package that brings it (by package manager), or what to do. */
export interface Problem {
  readonly what: string;
  readonly packages?: { readonly apt: string; readonly dnf: string; readonly brew?: string };
  /** A remedy that is not a package. */
  readonly todo?: string;
  /** A problem nothing can be installed against: report it alone. */
  readonly fatal?: boolean;
}

export async function preflight(probes: PreflightProbes): Promise<Problem[]> {
  if (probes.platform !== 'linux' && probes.platform !== 'darwin') {
    return [
      {
        what: `the platform ${probes.platform} (code-server and the sandbox run on Linux and macOS)`,
        todo: 'run it inside WSL 2 (Ubuntu or Debian)',
        fatal: true,
      },
    ];
  }
  const problems: Problem[] = [];
  const major = Number(probes.nodeVersion.split('.')[0]);
  if (major !== NODE_MAJOR) {
    problems.push({
      what: `Node ${NODE_MAJOR} (this is Node ${probes.nodeVersion})`,
      todo: "run `npm ci` first, so that npm runs the project's own Node 24 from node_modules",
    });
  }
  if (!probes.hasCommand('unzip')) {
    problems.push({ what: 'unzip', packages: { apt: 'unzip', dnf: 'unzip' } });
  }
  if (!probes.codeServerInstalled) {
    if (probes.platform === 'darwin') {
      if (!probes.hasCommand('c++') || !probes.hasCommand('make')) {
        problems.push({
          what: "a C++ compiler and make (to build code-server's native modules)",
          todo: 'xcode-select --install',
        });
      }
    } else {
      if (!probes.hasCommand('c++') && !probes.hasCommand('g++')) {
        problems.push({ what: 'a C++ compiler', packages: { apt: 'g++', dnf: 'gcc-c++' } });
      }
      if (!probes.hasCommand('make')) {
        problems.push({ what: 'make', packages: { apt: 'make', dnf: 'make' } });
      }
      if (!probes.hasHeader('gssapi/gssapi.h')) {
        problems.push({
          what: "the Kerberos headers (gssapi/gssapi.h, for code-server's kerberos module)",
          packages: { apt: 'libkrb5-dev', dnf: 'krb5-devel' },
        });
      }
    }
    if (!probes.hasCommand('python3')) {
      problems.push({ what: 'python3 (node-gyp runs it)', packages: { apt: 'python3', dnf: 'python3' } });
    }
  }
  if (!(await probes.canListen('127.0.0.2', 0))) {
    problems.push({
      what: 'loopback addresses beyond 127.0.0.1 (the sandbox gives each Pod one in 127.0.0.0/8)',
      todo:
        probes.platform === 'darwin'
          ? 'macOS routes only 127.0.0.1: run the demo in a Linux VM or container, or alias the addresses (sudo ifconfig lo0 alias 127.0.0.2 up, and so on for each)'
          : 'bring the loopback interface up with 127.0.0.0/8 (sudo ip addr add 127.0.0.0/8 dev lo)',
    });
  }
  if (!(await probes.canListen('127.0.0.1', probes.port))) {
    problems.push({
      what: `a free port ${probes.port} on 127.0.0.1`,
      todo: `choose another: npm run demo -- --port ${probes.port + 1}`,
    });
  }
  return problems;
}

function packageManager(probes: Pick<PreflightProbes, 'platform' | 'distro'>): 'apt' | 'dnf' | undefined {
  if (probes.platform !== 'linux') {
    return undefined;
  }
  if (probes.distro.some((id) => ['debian', 'ubuntu'].includes(id))) {
    return 'apt';
  }
  if (probes.distro.some((id) => ['fedora', 'rhel', 'centos'].includes(id))) {
    return 'dnf';
  }
  return undefined;
}

/** The one line that says what is missing and what to run; undefined when nothing is. */
export function preflightMessage(
  problems: readonly Problem[],
  probes: Pick<PreflightProbes, 'platform' | 'distro'>,
): string | undefined {
  if (problems.length === 0) {
    return undefined;
  }
  const shown = problems.find((problem) => problem.fatal) ? problems.filter((p) => p.fatal) : problems;
  const manager = packageManager(probes);
  const packages = shown.flatMap((problem) =>
    problem.packages ? [manager ? problem.packages[manager] : problem.packages.apt] : [],
  );
  const remedies: string[] = [];
  if (packages.length > 0) {
    remedies.push(
      manager === 'dnf'
        ? `sudo dnf install -y ${packages.join(' ')}`
        : manager === 'apt'
          ? `sudo apt-get install -y ${packages.join(' ')}`
          : `install ${packages.join(' ')} (Debian package names)`,
    );
  }
  remedies.push(...shown.flatMap((problem) => (problem.todo ? [problem.todo] : [])));
  return `npm run demo needs ${shown.map((problem) => problem.what).join(', ')}. To fix: ${remedies.join('; then ')}.`;
}

/** The include directories a compiler searches by default, plus those of CPATH and C_INCLUDE_PATH. */
function includeDirectories(env: NodeJS.ProcessEnv): string[] {
  // For tests: replaces the default list (an empty directory makes every header missing).
  if (env.KUBEREACH_DEMO_INCLUDE_PATH !== undefined) {
    return env.KUBEREACH_DEMO_INCLUDE_PATH.split(delimiter).filter(Boolean);
  }
  const fromEnv = [env.CPATH, env.C_INCLUDE_PATH, env.CPLUS_INCLUDE_PATH].flatMap((value) =>
    (value ?? '').split(delimiter).filter(Boolean),
  );
  return [
    ...fromEnv,
    '/usr/local/include',
    '/usr/include',
    '/usr/include/x86_64-linux-gnu',
    '/usr/include/aarch64-linux-gnu',
  ];
}

function commandOnPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => existsSync(join(dir, name)));
}

function distroIds(): string[] {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    return [...release.matchAll(/^(?:ID|ID_LIKE)="?([^"\n]*)"?$/gm)].flatMap((match) =>
      match[1]!.split(/\s+/),
    );
  } catch {
    return [];
  }
}

function canListen(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => done(true)));
  });
}

/** The probes of this machine. */
export function systemProbes(options: {
  port: number;
  codeServerInstalled: boolean;
  env?: NodeJS.ProcessEnv;
}): PreflightProbes {
  const env = options.env ?? process.env;
  return {
    platform: process.platform,
    nodeVersion: process.versions.node,
    distro: process.platform === 'linux' ? distroIds() : [],
    codeServerInstalled: options.codeServerInstalled,
    port: options.port,
    // macOS has stub c++ and make that only offer to install the command line tools.
    hasCommand: (name) =>
      commandOnPath(name, env) &&
      (process.platform !== 'darwin' || !['c++', 'make'].includes(name) || xcodeToolsInstalled()),
    hasHeader: (name) => includeDirectories(env).some((dir) => existsSync(join(dir, name))),
    canListen,
  };
}

function xcodeToolsInstalled(): boolean {
  try {
    execFileSync('xcode-select', ['-p'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
