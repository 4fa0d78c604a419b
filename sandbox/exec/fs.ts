/**
 * The container's file system as far as the emulated tools need one: the files Kubernetes mounts
 * (/etc/hosts, /etc/resolv.conf, /etc/hostname), the usual devices, and whatever the exec writes.
 */
import { randomBytes } from 'node:crypto';
import { bufferInput, generatorInput, nullInput, nullOutput } from './io.ts';
import type { FdTable, OpenFile } from './io.ts';

export type FsErrorCode = 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EACCES' | 'ENXIO' | 'EBADF';

export class FsError extends Error {
  readonly code: FsErrorCode;
  constructor(code: FsErrorCode) {
    super(strerror(code));
    this.code = code;
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  ENXIO: 'No such device or address',
  EBADF: 'Bad file descriptor',
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
  EPIPE: 'Broken pipe',
  EINVAL: 'Invalid argument',
  EINPROGRESS: 'Operation now in progress',
  ECONNABORTED: 'Software caused connection abort',
  EIO: 'Input/output error',
  EADDRNOTAVAIL: 'Cannot assign requested address',
};

/** The C library's strerror() text for an errno name. */
export function strerror(code: string | undefined): string {
  return (code !== undefined ? ERRNO_TEXT[code] : undefined) ?? `Unknown error ${code ?? ''}`.trim();
}

const ROOT_DIRS = [
  'bin',
  'dev',
  'etc',
  'home',
  'lib',
  'media',
  'mnt',
  'opt',
  'proc',
  'root',
  'run',
  'sbin',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
];
const OTHER_DIRS = [
  '/usr/bin',
  '/usr/sbin',
  '/usr/lib',
  '/usr/local',
  '/usr/local/bin',
  '/var/tmp',
  '/dev/fd',
];

export interface FsIdentity {
  hostname: string;
  podIp: string;
  nameserver: string;
  search: string[];
}

export class VirtualFs {
  private readonly files: Map<string, Buffer>;
  private readonly dirs = new Set<string>(['/']);

  constructor(files: Map<string, Buffer>, identity: FsIdentity) {
    this.files = files;
    for (const dir of ROOT_DIRS) {
      this.dirs.add(`/${dir}`);
    }
    for (const dir of OTHER_DIRS) {
      this.dirs.add(dir);
    }
    const defaults: Record<string, string> = {
      '/etc/hostname': `${identity.hostname}\n`,
      '/etc/hosts':
        '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
        `fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n` +
        `${identity.podIp}\t${identity.hostname}\n`,
      '/etc/resolv.conf': `search ${identity.search.join(' ')}\nnameserver ${identity.nameserver}\noptions ndots:5\n`,
    };
    for (const [path, content] of Object.entries(defaults)) {
      if (!files.has(path)) {
        files.set(path, Buffer.from(content));
      }
    }
  }

  static normalize(cwd: string, path: string): string {
    const absolute = path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;
    const parts: string[] = [];
    for (const part of absolute.split('/')) {
      if (part === '' || part === '.') {
        continue;
      }
      if (part === '..') {
        parts.pop();
      } else {
        parts.push(part);
      }
    }
    return `/${parts.join('/')}`;
  }

  isDir(path: string): boolean {
    if (this.dirs.has(path)) {
      return true;
    }
    const prefix = `${path}/`;
    for (const file of this.files.keys()) {
      if (file.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  kind(path: string): 'file' | 'dir' | 'device' | null {
    if (this.isDir(path)) {
      return 'dir';
    }
    if (this.files.has(path)) {
      return 'file';
    }
    if (DEVICES.has(path) || /^\/dev\/fd\/\d+$/.test(path) || /^\/proc\/self\/fd\/\d+$/.test(path)) {
      return 'device';
    }
    return null;
  }

  size(path: string): number {
    return this.files.get(path)?.length ?? 0;
  }

  readFile(path: string): Buffer {
    if (this.isDir(path)) {
      throw new FsError('EISDIR');
    }
    const content = this.files.get(path);
    if (content === undefined) {
      throw new FsError('ENOENT');
    }
    return content;
  }

  list(path: string): string[] {
    if (!this.isDir(path)) {
      throw new FsError(this.files.has(path) ? 'ENOTDIR' : 'ENOENT');
    }
    const names = new Set<string>();
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const entry of [...this.dirs, ...this.files.keys()]) {
      if (entry.startsWith(prefix) && entry !== path) {
        const name = entry.slice(prefix.length).split('/')[0];
        if (name) {
          names.add(name);
        }
      }
    }
    return [...names].sort();
  }

  /**
   * Opens like open(2). `fds` lets /dev/stdout and /dev/fd/N refer to the caller's descriptors.
   * Throws FsError.
   */
  open(path: string, mode: 'r' | 'w' | 'a' | 'rw', fds?: FdTable): OpenFile {
    const fdMatch = /^\/(?:dev|proc\/self)\/fd\/(\d+)$/.exec(path);
    const alias = path === '/dev/stdin' ? 0 : path === '/dev/stdout' ? 1 : path === '/dev/stderr' ? 2 : null;
    if (fdMatch !== null || alias !== null) {
      const file = fds?.get(alias ?? Number(fdMatch?.[1]));
      if (file === undefined) {
        throw new FsError('ENOENT');
      }
      return file;
    }
    const device = DEVICES.get(path);
    if (device !== undefined) {
      return device(mode);
    }
    if (this.isDir(path)) {
      throw new FsError('EISDIR');
    }
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (mode === 'r') {
      const content = this.files.get(path);
      if (content === undefined) {
        throw new FsError('ENOENT');
      }
      return { label: path, input: bufferInput(content) };
    }
    if (!this.isDir(parent)) {
      throw new FsError(this.files.has(parent) ? 'ENOTDIR' : 'ENOENT');
    }
    if (path.startsWith('/proc/') || path.startsWith('/sys/')) {
      throw new FsError('EACCES');
    }
    const existing = this.files.get(path);
    if (mode === 'w' || existing === undefined) {
      this.files.set(path, Buffer.alloc(0));
    }
    const files = this.files;
    return {
      label: path,
      input: mode === 'rw' ? bufferInput(files.get(path) ?? Buffer.alloc(0)) : undefined,
      output: {
        write: (chunk) => {
          files.set(path, Buffer.concat([files.get(path) ?? Buffer.alloc(0), chunk]));
          return Promise.resolve();
        },
        close: () => {},
      },
    };
  }

  writeFile(path: string, content: Buffer): void {
    const file = this.open(path, 'w');
    void file.output?.write(content);
  }
}

const DEVICES = new Map<string, (mode: string) => OpenFile>([
  ['/dev/null', () => ({ label: '/dev/null', input: nullInput, output: nullOutput })],
  [
    '/dev/zero',
    () => ({ label: '/dev/zero', input: generatorInput(() => Buffer.alloc(65536)), output: nullOutput }),
  ],
  [
    '/dev/urandom',
    () => ({ label: '/dev/urandom', input: generatorInput(() => randomBytes(4096)), output: nullOutput }),
  ],
  [
    '/dev/random',
    () => ({ label: '/dev/random', input: generatorInput(() => randomBytes(4096)), output: nullOutput }),
  ],
  [
    '/dev/tty',
    () => {
      throw new FsError('ENXIO');
    },
  ],
]);
