/**
 * Container logs, as the kubelet keeps them: a bounded buffer of timestamped lines per container,
 * read by `pods/log` (with `tailLines`, `sinceSeconds`, `sinceTime`, `limitBytes`, `timestamps`) and followed
 * by `follow=true` streams. The sandbox's built-in servers write a line per request they answer.
 */

export interface LogLine {
  /** RFC 3339 with nanoseconds, as the kubelet's `timestamps=true` prints it. */
  readonly time: string;
  readonly epochMs: number;
  readonly text: string;
}

/** Lines kept per container; a real kubelet rotates by size (10 MiB by default). */
const MAX_LINES = 2000;

type Follower = (line: LogLine) => void;

export class ContainerLogs {
  private readonly lines = new Map<string, LogLine[]>();
  private readonly followers = new Map<string, Set<Follower>>();

  append(namespace: string, pod: string, container: string, text: string, now = new Date()): void {
    const key = keyOf(namespace, pod, container);
    let buffer = this.lines.get(key);
    if (!buffer) {
      buffer = [];
      this.lines.set(key, buffer);
    }
    const line: LogLine = { time: rfc3339Nano(now), epochMs: now.getTime(), text };
    buffer.push(line);
    if (buffer.length > MAX_LINES) {
      buffer.splice(0, buffer.length - MAX_LINES);
    }
    for (const follower of this.followers.get(key) ?? []) {
      follower(line);
    }
  }

  /** The lines a log request selects, oldest first. */
  read(
    namespace: string,
    pod: string,
    container: string,
    options: {
      tailLines?: number | undefined;
      sinceSeconds?: number | undefined;
      /** Epoch milliseconds: lines at or after it (`sinceTime`). */
      sinceTime?: number | undefined;
      now?: number;
    } = {},
  ): LogLine[] {
    let selected = this.lines.get(keyOf(namespace, pod, container)) ?? [];
    if (options.sinceSeconds !== undefined) {
      const since = (options.now ?? Date.now()) - options.sinceSeconds * 1000;
      selected = selected.filter((line) => line.epochMs >= since);
    }
    if (options.sinceTime !== undefined) {
      const since = options.sinceTime;
      selected = selected.filter((line) => line.epochMs >= since);
    }
    if (options.tailLines !== undefined) {
      selected = options.tailLines <= 0 ? [] : selected.slice(-options.tailLines);
    }
    return [...selected];
  }

  /** Calls `follower` with every line appended from now on, until the returned function is called. */
  follow(namespace: string, pod: string, container: string, follower: Follower): () => void {
    const key = keyOf(namespace, pod, container);
    let set = this.followers.get(key);
    if (!set) {
      set = new Set();
      this.followers.set(key, set);
    }
    set.add(follower);
    return () => {
      set.delete(follower);
      if (set.size === 0 && this.followers.get(key) === set) {
        this.followers.delete(key);
      }
    };
  }

  /** Open `follow` streams on a Pod's containers. */
  followerCount(namespace: string, pod: string): number {
    let count = 0;
    for (const [key, set] of this.followers) {
      if (key.startsWith(`${namespace}/${pod}/`)) {
        count += set.size;
      }
    }
    return count;
  }

  /** Forgets a Pod's logs (the Pod object is gone). */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const key of this.lines.keys()) {
      if (key.startsWith(prefix)) {
        this.lines.delete(key);
      }
    }
  }
}

function keyOf(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}

function rfc3339Nano(date: Date): string {
  // The kubelet prints nanoseconds; milliseconds padded to nine digits read the same.
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** An access-log line as common web servers write it: client, time, request line, status, size. */
export function accessLogLine(entry: {
  client: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  userAgent?: string | undefined;
  now?: Date;
}): string {
  const now = entry.now ?? new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(now.getUTCDate())}/${months[now.getUTCMonth()]}/${now.getUTCFullYear()}:${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())} +0000`;
  const client = entry.client.replace(/^::ffff:/, '');
  const quoted = (text: string) => text.replace(/[\\"]/g, '\\$&').replace(/[\x00-\x1f\x7f]/g, '?');
  return `${client} - - [${time}] "${quoted(entry.method)} ${quoted(entry.path)} HTTP/1.1" ${entry.status} ${entry.bytes} "-" "${quoted(entry.userAgent ?? '-')}"`;
}
