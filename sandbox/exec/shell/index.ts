/** sh / ash / dash / bash as programs: their command line, then the interpreter. */
import { FsError, VirtualFs } from '../fs.ts';
import { readAll } from '../io.ts';
import { KillSignal, writeErr } from '../process.ts';
import type { Proc, Tool } from '../process.ts';
import type { ShellFlavour } from './parser.ts';
import { Shell } from './shell.ts';

function flavourOf(proc: Proc): ShellFlavour {
  const argv0 = proc.argv[0] ?? 'sh';
  const name = argv0.slice(argv0.lastIndexOf('/') + 1);
  if (name === 'bash') {
    return 'bash';
  }
  if (name === 'dash') {
    return 'dash';
  }
  if (name === 'ash') {
    return 'busybox';
  }
  const hint = proc.sys.flavour('sh');
  return hint === 'dash' || hint === 'bash' ? hint : 'busybox';
}

export const shell: Tool = async (proc) => {
  const flavour = flavourOf(proc);
  const argv0 = proc.argv[0] ?? 'sh';
  const args = proc.argv.slice(1);
  const options: Record<string, boolean> = {};
  let command = false;
  let fromStdin = false;
  const optionNames: Record<string, string> = {
    e: 'errexit',
    u: 'nounset',
    x: 'xtrace',
    a: 'allexport',
    f: 'noglob',
  };
  const usage = async (message: string): Promise<number> => {
    await writeErr(
      proc,
      flavour === 'bash'
        ? `${argv0}: ${message}\nUsage:\t${argv0} [GNU long option] [option] ...\n\t${argv0} [GNU long option] [option] script-file ...\n`
        : flavour === 'dash'
          ? `${argv0}: 0: ${message}\n`
          : `${argv0}: ${message}\n`,
    );
    return 2;
  };
  while (args.length > 0) {
    const arg = args[0] as string;
    if (arg === '--' || arg === '-') {
      args.shift();
      break;
    }
    if (flavour === 'bash' && /^--(norc|noprofile|login|posix|noediting|restricted)$/.test(arg)) {
      args.shift();
      continue;
    }
    if (!/^[-+][A-Za-z]/.test(arg)) {
      break;
    }
    args.shift();
    const on = arg[0] === '-';
    for (let i = 1; i < arg.length; i++) {
      const letter = arg[i] as string;
      if (letter === 'c') {
        command = true;
      } else if (letter === 's') {
        fromStdin = true;
      } else if (letter === 'o') {
        const name = args.shift();
        if (
          name === undefined ||
          !['errexit', 'nounset', 'xtrace', 'pipefail', 'allexport', 'noglob'].includes(name)
        ) {
          return usage(
            flavour === 'dash' ? `Illegal option -o ${name ?? ''}` : `${name ?? ''}: invalid option name`,
          );
        }
        options[name] = on;
      } else if (optionNames[letter] !== undefined) {
        options[optionNames[letter] as string] = on;
      } else if (!'ilvhmbCBHTPknpr'.includes(letter)) {
        return usage(
          flavour === 'bash'
            ? `-${letter}: invalid option`
            : flavour === 'dash'
              ? `Illegal option -${letter}`
              : `illegal option -${letter}`,
        );
      }
    }
  }
  let source: string;
  let arg0 = argv0;
  let named = false;
  if (command) {
    const script = args.shift();
    if (script === undefined) {
      return usage(flavour === 'bash' ? '-c: option requires an argument' : '-c requires an argument');
    }
    source = script;
    const given = args.shift();
    if (given !== undefined) {
      arg0 = given;
      named = true;
    }
  } else if (args.length > 0 && !fromStdin) {
    const file = args.shift() as string;
    try {
      source = proc.sys.fs.readFile(VirtualFs.normalize(proc.cwd, file)).toString();
    } catch (error) {
      if (!(error instanceof FsError)) {
        throw error;
      }
      if (flavour === 'bash') {
        await writeErr(proc, `${argv0}: ${file}: ${error.message}\n`);
        return 127;
      }
      await writeErr(
        proc,
        flavour === 'dash'
          ? `${argv0}: 0: cannot open ${file}: No such file\n`
          : `${argv0}: can't open '${file}': ${error.message}\n`,
      );
      return flavour === 'dash' ? 2 : 127;
    }
    arg0 = file;
    named = true;
  } else {
    const stdin = proc.fds.get(0)?.input;
    source = stdin === undefined ? '' : (await readAll(stdin, proc.signal)).toString();
  }
  const interpreter = new Shell(proc, { flavour, arg0, named, positional: args, options, source });
  const info = await interpreter.run();
  if (info.signal !== undefined) {
    // `exec` replaced the shell with a program that died of a signal: so did the shell.
    throw new KillSignal(info.signal);
  }
  return info.code;
};
