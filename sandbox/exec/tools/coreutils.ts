/**
 * The basic utilities, as busybox applets or GNU coreutils (the `utils` flavour): their options used in
 * probes and debugging sessions, their messages and exit codes.
 */
import { FsError, VirtualFs } from '../fs.ts';
import { abortable } from '../io.ts';
import type { InStream } from '../io.ts';
import {
  childController,
  KillSignal,
  parseSignal,
  sleep as sleepFor,
  writeErr,
  writeOut,
} from '../process.ts';
import type { Proc, Tool } from '../process.ts';
import { getopt, GetoptError } from './getopt.ts';
import { echo as echoText, evaluateTest, printf as printfText, TestSyntaxError } from './text.ts';

const gnu = (proc: Proc): boolean => proc.sys.flavour('utils') !== 'busybox';
const name = (proc: Proc): string => {
  const argv0 = proc.argv[0] ?? '';
  return argv0.slice(argv0.lastIndexOf('/') + 1);
};

async function usageError(proc: Proc, message: string): Promise<number> {
  const tool = name(proc);
  await writeErr(
    proc,
    gnu(proc)
      ? `${tool}: ${message}\nTry '${tool} --help' for more information.\n`
      : `${tool}: ${message}\n\nBusyBox v1.36.1 (2023-06-02 00:42:02 UTC) multi-call binary.\n`,
  );
  return gnu(proc) && tool === 'timeout' ? 125 : 1;
}

function optionError(proc: Proc, error: GetoptError): Promise<number> {
  const option = error.option.replace(/^-+/, '');
  if (error.kind === 'missing') {
    return usageError(proc, `option requires an argument -- '${option}'`);
  }
  return usageError(
    proc,
    error.option.startsWith('--') ? `unrecognized option '${error.option}'` : `invalid option -- '${option}'`,
  );
}

/**
 * Opens the files the operands name ('-' and none meaning stdin), reporting failures like the tool does.
 * Yields null for an absent stdin and undefined for a file that could not be opened (already reported).
 */
async function* inputs(proc: Proc, files: string[]): AsyncGenerator<InStream | null | undefined> {
  if (files.length === 0) {
    yield proc.fds.get(0)?.input ?? null;
    return;
  }
  for (const file of files) {
    if (file === '-') {
      yield proc.fds.get(0)?.input ?? null;
      continue;
    }
    try {
      const opened = proc.sys.fs.open(VirtualFs.normalize(proc.cwd, file), 'r', proc.fds);
      yield opened.input ?? null;
    } catch (error) {
      if (!(error instanceof FsError)) {
        throw error;
      }
      const tool = name(proc);
      await writeErr(
        proc,
        gnu(proc) || tool === 'head' || tool === 'tail'
          ? `${tool}: ${file}: ${error.message}\n`
          : `${tool}: can't open '${file}': ${error.message}\n`,
      );
      yield undefined;
    }
  }
}

async function readChunk(proc: Proc, input: InStream): Promise<Buffer | null> {
  return abortable(input.read(), proc.signal);
}

export const cat: Tool = async (proc) => {
  let failed = false;
  const files = proc.argv.slice(1).filter((arg) => arg === '-' || !arg.startsWith('-'));
  for await (const input of inputs(proc, files)) {
    if (input === undefined) {
      failed = true;
      continue;
    }
    if (input === null) {
      continue;
    }
    for (let chunk = await readChunk(proc, input); chunk !== null; chunk = await readChunk(proc, input)) {
      await writeOut(proc, chunk);
    }
  }
  return failed ? 1 : 0;
};

function countArg(text: string): { count: number; fromStart: boolean } | null {
  const match = /^([+-]?)(\d+)([kKmMbB]?)$/.exec(text);
  if (match === null) {
    return null;
  }
  const units: Record<string, number> = { '': 1, b: 512, k: 1024, K: 1024, m: 1048576, M: 1048576, B: 512 };
  return { count: Number(match[2]) * (units[match[3] ?? ''] ?? 1), fromStart: match[1] === '+' };
}

export const head: Tool = async (proc) => {
  const args = proc.argv.slice(1).map((arg) => (/^-\d+$/.test(arg) ? `-n${arg.slice(1)}` : arg));
  let parsed;
  try {
    parsed = getopt(args, {
      flags: 'qv',
      withArg: 'nc',
      long: { lines: { key: 'n', arg: true }, bytes: { key: 'c', arg: true } },
    });
  } catch (error) {
    return error instanceof GetoptError ? optionError(proc, error) : Promise.reject(error);
  }
  let mode: 'lines' | 'bytes' = 'lines';
  let count = 10;
  for (const [key, value] of parsed.options) {
    if (key === 'n' || key === 'c') {
      const parsedCount = countArg(value);
      if (parsedCount === null) {
        await writeErr(
          proc,
          gnu(proc)
            ? `head: invalid number of ${key === 'n' ? 'lines' : 'bytes'}: '${value}'\n`
            : `head: invalid number '${value}'\n`,
        );
        return 1;
      }
      mode = key === 'n' ? 'lines' : 'bytes';
      count = parsedCount.count;
    }
  }
  let failed = false;
  const multiple = parsed.operands.length > 1;
  let first = true;
  for await (const input of inputs(proc, parsed.operands)) {
    if (input === undefined) {
      failed = true;
      continue;
    }
    if (multiple) {
      await writeOut(proc, `${first ? '' : '\n'}==> ${parsed.operands[0]} <==\n`);
    }
    first = false;
    if (input === null) {
      continue;
    }
    let left = count;
    while (left > 0) {
      const chunk = await readChunk(proc, input);
      if (chunk === null) {
        break;
      }
      if (mode === 'bytes') {
        const used = chunk.subarray(0, left);
        left -= used.length;
        await writeOut(proc, used);
        continue;
      }
      let end = 0;
      while (left > 0 && end < chunk.length) {
        const newline = chunk.indexOf(0x0a, end);
        if (newline < 0) {
          end = chunk.length;
          break;
        }
        end = newline + 1;
        left--;
      }
      await writeOut(proc, chunk.subarray(0, end));
    }
  }
  return failed ? 1 : 0;
};

export const tail: Tool = async (proc) => {
  const args = proc.argv.slice(1).map((arg) => (/^-\d+$/.test(arg) ? `-n${arg.slice(1)}` : arg));
  let parsed;
  try {
    parsed = getopt(args, {
      flags: 'qvfF',
      withArg: 'nc',
      long: { lines: { key: 'n', arg: true }, bytes: { key: 'c', arg: true } },
    });
  } catch (error) {
    return error instanceof GetoptError ? optionError(proc, error) : Promise.reject(error);
  }
  if (parsed.options.some(([key]) => key === 'f' || key === 'F')) {
    await writeErr(proc, 'tail: -f is not supported by the KubeReach sandbox\n');
    return 1;
  }
  let mode: 'lines' | 'bytes' = 'lines';
  let count = 10;
  let fromStart = false;
  for (const [key, value] of parsed.options) {
    if (key === 'n' || key === 'c') {
      const parsedCount = countArg(value);
      if (parsedCount === null) {
        await writeErr(proc, `tail: invalid number of ${key === 'n' ? 'lines' : 'bytes'}: '${value}'\n`);
        return 1;
      }
      mode = key === 'n' ? 'lines' : 'bytes';
      count = parsedCount.count;
      fromStart = parsedCount.fromStart;
    }
  }
  let failed = false;
  for await (const input of inputs(proc, parsed.operands)) {
    if (input === undefined) {
      failed = true;
      continue;
    }
    if (input === null) {
      continue;
    }
    const chunks: Buffer[] = [];
    for (let chunk = await readChunk(proc, input); chunk !== null; chunk = await readChunk(proc, input)) {
      chunks.push(chunk);
    }
    const all = Buffer.concat(chunks);
    if (mode === 'bytes') {
      await writeOut(
        proc,
        fromStart ? all.subarray(Math.max(0, count - 1)) : all.subarray(Math.max(0, all.length - count)),
      );
      continue;
    }
    const text = all.toString('latin1');
    const lines = text.split(/(?<=\n)/);
    const selected = fromStart
      ? lines.slice(Math.max(0, count - 1))
      : lines.slice(Math.max(0, lines.length - count));
    await writeOut(proc, Buffer.from(selected.join(''), 'latin1'));
  }
  return failed ? 1 : 0;
};

export const wc: Tool = async (proc) => {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), {
      flags: 'clwmL',
      withArg: '',
      long: {
        bytes: { key: 'c', arg: false },
        lines: { key: 'l', arg: false },
        words: { key: 'w', arg: false },
        chars: { key: 'm', arg: false },
      },
    });
  } catch (error) {
    return error instanceof GetoptError ? optionError(proc, error) : Promise.reject(error);
  }
  let wanted = new Set(parsed.options.map(([key]) => (key === 'm' ? 'c' : key)));
  if (wanted.size === 0) {
    wanted = new Set(['l', 'w', 'c']);
  }
  let failed = false;
  const totals = { l: 0, w: 0, c: 0 };
  const rows: Array<{ counts: typeof totals; label: string }> = [];
  let index = 0;
  for await (const input of inputs(proc, parsed.operands)) {
    const label = parsed.operands[index++] ?? '';
    if (input === undefined) {
      failed = true;
      continue;
    }
    const counts = { l: 0, w: 0, c: 0 };
    let inWord = false;
    if (input !== null) {
      for (let chunk = await readChunk(proc, input); chunk !== null; chunk = await readChunk(proc, input)) {
        counts.c += chunk.length;
        for (const byte of chunk) {
          if (byte === 0x0a) {
            counts.l++;
          }
          const space = byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
          if (!space && !inWord) {
            counts.w++;
          }
          inWord = !space;
        }
      }
    }
    totals.l += counts.l;
    totals.w += counts.w;
    totals.c += counts.c;
    rows.push({ counts, label });
  }
  if (rows.length > 1) {
    rows.push({ counts: totals, label: 'total' });
  }
  const order = (['l', 'w', 'c'] as const).filter((key) => wanted.has(key));
  const width = gnu(proc)
    ? order.length === 1 && parsed.operands.length <= 1
      ? 0
      : parsed.operands.length === 0
        ? 7
        : Math.max(1, ...rows.map((row) => String(Math.max(row.counts.l, row.counts.w, row.counts.c)).length))
    : order.length === 1
      ? 0
      : 9;
  let out = '';
  for (const row of rows) {
    const cells = order.map((key) => String(row.counts[key]).padStart(width));
    out += `${cells.join(gnu(proc) ? ' ' : ' ')}${row.label !== '' ? ` ${row.label}` : ''}\n`;
  }
  await writeOut(proc, out);
  return failed ? 1 : 0;
};

export const grep: Tool = async (proc) => {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), {
      flags: 'qsivcnoxwEFGhHl',
      withArg: 'em',
      long: {
        quiet: { key: 'q', arg: false },
        silent: { key: 'q', arg: false },
        'ignore-case': { key: 'i', arg: false },
        'invert-match': { key: 'v', arg: false },
        count: { key: 'c', arg: false },
        'extended-regexp': { key: 'E', arg: false },
        'fixed-strings': { key: 'F', arg: false },
        regexp: { key: 'e', arg: true },
        'max-count': { key: 'm', arg: true },
      },
    });
  } catch (error) {
    if (error instanceof GetoptError) {
      await optionError(proc, error);
      return 2;
    }
    throw error;
  }
  const flag = (key: string): boolean => parsed.options.some(([k]) => k === key);
  const patterns = parsed.options.filter(([k]) => k === 'e').map(([, v]) => v);
  const operands = [...parsed.operands];
  if (patterns.length === 0) {
    const first = operands.shift();
    if (first === undefined) {
      await writeErr(
        proc,
        gnu(proc)
          ? "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"
          : 'grep: no pattern\n',
      );
      return 2;
    }
    patterns.push(...first.split('\n'));
  }
  const toRegExp = (pattern: string): RegExp => {
    let source: string;
    if (flag('F')) {
      source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (flag('E')) {
      source = pattern;
    } else {
      // Basic regular expressions: \( \) \{ \} \| \+ \? are the operators, the bare characters are literal.
      source = pattern.replace(
        /\\([(){}|+?])|([(){}|+?])/g,
        (_m, escaped: string | undefined, bare: string | undefined) =>
          escaped !== undefined ? escaped : `\\${bare ?? ''}`,
      );
    }
    if (flag('w')) {
      source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
    }
    if (flag('x')) {
      source = `^(?:${source})$`;
    }
    return new RegExp(source, flag('i') ? 'i' : '');
  };
  let regexps: RegExp[];
  try {
    regexps = patterns.map(toRegExp);
  } catch {
    await writeErr(proc, `grep: invalid regular expression\n`);
    return 2;
  }
  const maxText = parsed.options.filter(([k]) => k === 'm').pop()?.[1];
  const max = maxText !== undefined ? Number(maxText) : Infinity;
  const quiet = flag('q');
  const invert = flag('v');
  let matchedAny = false;
  let failed = false;
  const showNames = flag('H') || (operands.length > 1 && !flag('h'));
  let index = 0;
  for await (const input of inputs(proc, operands)) {
    const label = operands[index++] ?? '(standard input)';
    if (input === undefined) {
      failed = true;
      continue;
    }
    if (input === null) {
      continue;
    }
    let pending = '';
    let lineNumber = 0;
    let count = 0;
    let out = '';
    const handle = (line: string): void => {
      lineNumber++;
      if (count >= max) {
        return;
      }
      const hit = regexps.some((re) => re.test(line)) !== invert;
      if (!hit) {
        return;
      }
      count++;
      matchedAny = true;
      if (quiet || flag('c') || flag('l')) {
        return;
      }
      const prefix = `${showNames ? `${label}:` : ''}${flag('n') ? `${lineNumber}:` : ''}`;
      if (flag('o') && !invert) {
        for (const re of regexps) {
          const global = new RegExp(re.source, `${re.flags}g`);
          for (const match of line.matchAll(global)) {
            out += `${prefix}${match[0]}\n`;
          }
        }
      } else {
        out += `${prefix}${line}\n`;
      }
    };
    for (let chunk = await readChunk(proc, input); chunk !== null; chunk = await readChunk(proc, input)) {
      pending += chunk.toString('latin1');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(handle);
      if (out !== '') {
        await writeOut(proc, Buffer.from(out, 'latin1'));
        out = '';
      }
      if (quiet && matchedAny) {
        return 0;
      }
    }
    if (pending !== '') {
      handle(pending);
    }
    if (flag('c')) {
      out += `${showNames ? `${label}:` : ''}${count}\n`;
    } else if (flag('l') && count > 0) {
      out += `${label}\n`;
    }
    if (out !== '') {
      await writeOut(proc, Buffer.from(out, 'latin1'));
    }
  }
  if (failed && !(quiet && matchedAny)) {
    return 2;
  }
  return matchedAny ? 0 : 1;
};

export const env: Tool = async (proc) => {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), {
      flags: 'i0',
      withArg: 'u',
      long: { ignore_environment: { key: 'i', arg: false }, unset: { key: 'u', arg: true } },
      stopAtOperand: true,
    });
  } catch (error) {
    return error instanceof GetoptError ? optionError(proc, error) : Promise.reject(error);
  }
  const environment: Record<string, string> = parsed.options.some(([k]) => k === 'i') ? {} : { ...proc.env };
  for (const [key, value] of parsed.options) {
    if (key === 'u') {
      delete environment[value];
    }
  }
  const operands = [...parsed.operands];
  if (operands[0] === '-') {
    operands.shift();
    for (const key of Object.keys(environment)) {
      delete environment[key];
    }
  }
  while (operands.length > 0 && /^[^=]+=/.test(operands[0] as string)) {
    const assignment = operands.shift() as string;
    const eq = assignment.indexOf('=');
    environment[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  if (operands.length === 0) {
    await writeOut(
      proc,
      Object.entries(environment)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );
    return 0;
  }
  const command = operands[0] as string;
  const program = proc.sys.findProgram(command);
  if (program === null) {
    await writeErr(
      proc,
      gnu(proc)
        ? `env: '${command}': No such file or directory\n`
        : `env: can't execute '${command}': No such file or directory\n`,
    );
    return 127;
  }
  const result = await proc.sys.spawn(program, operands, {
    env: environment,
    fds: proc.fds,
    signal: proc.signal,
    cwd: proc.cwd,
  });
  if (result.signal !== undefined) {
    throw new KillSignal(result.signal);
  }
  return result.code;
};

export const printenv: Tool = async (proc) => {
  const names = proc.argv.slice(1);
  if (names.length === 0) {
    await writeOut(
      proc,
      Object.entries(proc.env)
        .map(([key, value]) => `${key}=${value}\n`)
        .join(''),
    );
    return 0;
  }
  let missing = false;
  let out = '';
  for (const variable of names) {
    const value = proc.env[variable];
    if (value === undefined) {
      missing = true;
    } else {
      out += `${value}\n`;
    }
  }
  await writeOut(proc, out);
  return missing ? 1 : 0;
};

export const hostname: Tool = async (proc) => {
  const args = proc.argv.slice(1);
  const { pod } = proc.sys.ctx;
  if (args.length === 0 || args[0] === '-s' || args[0] === '--short') {
    await writeOut(proc, `${pod.hostname}\n`);
    return 0;
  }
  if (
    args[0] === '-i' ||
    args[0] === '-I' ||
    args[0] === '--ip-address' ||
    args[0] === '--all-ip-addresses'
  ) {
    await writeOut(proc, args[0] === '-I' ? `${pod.ip} \n` : `${pod.ip}\n`);
    return 0;
  }
  if (
    args[0] === '-f' ||
    args[0] === '--fqdn' ||
    args[0] === '--long' ||
    args[0] === '-d' ||
    args[0] === '--domain'
  ) {
    await writeOut(proc, args[0] === '-d' || args[0] === '--domain' ? '\n' : `${pod.hostname}\n`);
    return 0;
  }
  if (args[0]?.startsWith('-')) {
    return usageError(proc, `invalid option -- '${args[0].slice(1)}'`);
  }
  await writeErr(
    proc,
    gnu(proc)
      ? 'hostname: you must be root to change the host name\n'
      : 'hostname: sethostname: Operation not permitted\n',
  );
  return 1;
};

/** Durations as sleep and timeout read them: a float with an optional s, m, h or d suffix. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  if (match === null) {
    return null;
  }
  const factor: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  return Number(match[1]) * (factor[match[2] ?? ''] ?? 1) * 1000;
}

export const sleep: Tool = async (proc) => {
  const args = proc.argv.slice(1);
  if (args.length === 0) {
    return usageError(proc, 'missing operand');
  }
  let total = 0;
  for (const arg of args) {
    const ms = parseDuration(arg);
    if (ms === null) {
      if (gnu(proc)) {
        await writeErr(
          proc,
          `sleep: invalid time interval '${arg}'\nTry 'sleep --help' for more information.\n`,
        );
      } else {
        await writeErr(proc, `sleep: invalid number '${arg}'\n`);
      }
      return 1;
    }
    total += ms;
  }
  await sleepFor(total, proc.signal);
  return 0;
};

export const timeout: Tool = async (proc) => {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), {
      flags: 'v',
      withArg: 'sk',
      long: {
        signal: { key: 's', arg: true },
        'kill-after': { key: 'k', arg: true },
        'preserve-status': { key: 'preserve', arg: false },
        foreground: { key: 'foreground', arg: false },
        verbose: { key: 'v', arg: false },
      },
      stopAtOperand: true,
    });
  } catch (error) {
    return error instanceof GetoptError ? optionError(proc, error) : Promise.reject(error);
  }
  const signalSpec = parsed.options.filter(([k]) => k === 's').pop()?.[1] ?? 'TERM';
  const signal = parseSignal(signalSpec);
  if (signal === null) {
    await writeErr(
      proc,
      gnu(proc)
        ? `timeout: ${signalSpec}: invalid signal\nTry 'timeout --help' for more information.\n`
        : `timeout: unknown signal '${signalSpec}'\n`,
    );
    return gnu(proc) ? 125 : 1;
  }
  const [durationText, command, ...rest] = parsed.operands;
  if (durationText === undefined || command === undefined) {
    return usageError(
      proc,
      durationText === undefined ? 'missing operand' : `missing operand after '${durationText}'`,
    );
  }
  const duration = parseDuration(durationText);
  if (duration === null) {
    await writeErr(
      proc,
      gnu(proc)
        ? `timeout: invalid time interval '${durationText}'\nTry 'timeout --help' for more information.\n`
        : `timeout: invalid number '${durationText}'\n`,
    );
    return gnu(proc) ? 125 : 1;
  }
  const program = proc.sys.findProgram(command);
  if (program === null) {
    await writeErr(
      proc,
      gnu(proc)
        ? `timeout: failed to run command '${command}': No such file or directory\n`
        : `timeout: can't execute '${command}': No such file or directory\n`,
    );
    return 127;
  }
  const { controller, release } = childController(proc.signal);
  let timedOut = false;
  const timer =
    duration > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new KillSignal(signal));
        }, duration)
      : null;
  try {
    const result = await proc.sys.spawn(program, [command, ...rest], {
      env: proc.env,
      fds: proc.fds,
      signal: controller.signal,
      cwd: proc.cwd,
    });
    if (proc.signal.aborted) {
      throw proc.signal.reason;
    }
    if (gnu(proc)) {
      // coreutils waits for the child and reports the timeout itself.
      if (timedOut && !parsed.options.some(([k]) => k === 'preserve')) {
        return 124;
      }
      return result.code;
    }
    // busybox's timeout execs the program and a helper kills it: the caller sees the signal death.
    if (result.signal !== undefined) {
      throw new KillSignal(result.signal);
    }
    return result.code;
  } finally {
    if (timer !== null) {
      clearTimeout(timer);
    }
    release();
  }
};

export const ls: Tool = async (proc) => {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), { flags: '1aAdFp', withArg: '' });
  } catch (error) {
    if (error instanceof GetoptError && error.kind === 'unknown') {
      await writeErr(proc, `ls: -${error.option} is not supported by the KubeReach sandbox\n`);
      return 2;
    }
    throw error;
  }
  const all = parsed.options.some(([k]) => k === 'a');
  const targets = parsed.operands.length > 0 ? parsed.operands : ['.'];
  let status = 0;
  let out = '';
  const columns = proc.sys.ctx.tty === true && !parsed.options.some(([k]) => k === '1');
  const render = (names: string[]): string =>
    columns ? (names.length > 0 ? `${names.join('  ')}\n` : '') : names.map((n) => `${n}\n`).join('');
  const files: string[] = [];
  const dirs: string[] = [];
  for (const target of targets) {
    const path = VirtualFs.normalize(proc.cwd, target);
    const kind = proc.sys.fs.kind(path);
    if (kind === null) {
      await writeErr(
        proc,
        gnu(proc)
          ? `ls: cannot access '${target}': No such file or directory\n`
          : `ls: ${target}: No such file or directory\n`,
      );
      status = gnu(proc) ? 2 : 1;
    } else if (kind === 'dir' && !parsed.options.some(([k]) => k === 'd')) {
      dirs.push(target);
    } else {
      files.push(target);
    }
  }
  out += render(files);
  for (const dir of dirs) {
    const entries = proc.sys.fs.list(VirtualFs.normalize(proc.cwd, dir));
    if (targets.length > 1) {
      out += `${out === '' ? '' : '\n'}${dir}:\n`;
    }
    out += render(all ? ['.', '..', ...entries] : entries);
  }
  await writeOut(proc, out);
  return status;
};

export const which: Tool = async (proc) => {
  const names = proc.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  if (names.length === 0) {
    return 1;
  }
  let missing = false;
  let out = '';
  for (const program of names) {
    const path = program.includes('/')
      ? proc.sys.findProgram(program) !== null
        ? program
        : null
      : proc.sys.pathOf(program);
    if (path === null) {
      missing = true;
    } else {
      out += `${path}\n`;
    }
  }
  await writeOut(proc, out);
  return missing ? 1 : 0;
};

export const echo: Tool = async (proc) => {
  await writeOut(proc, echoText(proc.argv.slice(1), gnu(proc) ? 'gnu' : 'busybox'));
  return 0;
};

export const printf: Tool = async (proc) => {
  const [format, ...args] = proc.argv.slice(1);
  if (format === undefined) {
    return usageError(proc, 'missing operand');
  }
  const result = printfText(format, args, (message) => void writeErr(proc, `printf: ${message}\n`));
  await writeOut(proc, Buffer.from(result.output, 'latin1'));
  return result.failed ? 1 : 0;
};

export const trueTool: Tool = () => Promise.resolve(0);
export const falseTool: Tool = () => Promise.resolve(1);

export const test: Tool = async (proc) => {
  let args = proc.argv.slice(1);
  if (name(proc) === '[') {
    if (args[args.length - 1] !== ']') {
      await writeErr(proc, gnu(proc) ? "[: missing ']'\n" : '[: missing ]\n');
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return evaluateTest(args, proc.sys.fs, proc.cwd, gnu(proc) ? 'gnu' : 'busybox');
  } catch (error) {
    if (error instanceof TestSyntaxError) {
      await writeErr(proc, `${name(proc)}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
};
