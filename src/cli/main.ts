/**
 * `kubereach`, the command line: the language server's manifest checks, the hop-by-hop diagnosis
 * and the policy matrix, from a terminal or a CI job. No `vscode`; the cluster layer
 * (`dist/cluster.js`, client-node) is required only by the commands that talk to a cluster.
 *
 * Errors are one line on stderr (`error: …`) and exit status 2; a stack is printed only with
 * KUBEREACH_DEBUG=1. Credentials never reach the output: every error line passes through redact.
 */
import { redact } from '../logging/redact.ts';
import { checkCommand } from './checkCommand.ts';
import { diagnoseCommand } from './diagnoseCommand.ts';
import { matrixCommand } from './matrixCommand.ts';
import { CliError, EXIT_ERROR, EXIT_OK, usageError } from './errors.ts';
import type { CliIo } from './io.ts';
import { colorsFor, write } from './terminal.ts';

/** esbuild replaces `process.env.KUBEREACH_VERSION` with the package version at build time. */
const VERSION = process.env.KUBEREACH_VERSION ?? '0.0.0-dev';

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Readonly<Record<string, { summary: string; run: Command }>> = {
  check: {
    summary: 'Check manifests with the language server’s rules (text, JSON, SARIF)',
    run: checkCommand,
  },
  diagnose: {
    summary: "Diagnose a Pod's connection or a URL, hop by hop (text, JSON, Markdown)",
    run: diagnoseCommand,
  },
  matrix: {
    summary: 'The NetworkPolicy matrix of a namespace, optionally probed (text, CSV, Markdown)',
    run: matrixCommand,
  },
};

const HELP = `kubereach finds why a Pod cannot reach a Service: the checks of KubeReach's editor
extension, from a terminal or a CI job.

Usage:
  kubereach COMMAND [ARGS...] [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(10)}${summary}`)
  .join('\n')}

Flags:
  -h, --help     help for kubereach or a command ("kubereach check --help")
      --version  print the version

Exit status: 0 success, 1 findings (check), a broken path (diagnose) or a probe disagreeing
with the policies (matrix --probe), 2 an error.
Use "kubereach COMMAND --help" for more about a command.
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic] !== undefined) {
      return COMMANDS[topic].run(['--help'], io);
    }
    await io.out(HELP);
    return EXIT_OK;
  }
  if (first === '--version' || first === 'version') {
    await io.out(`kubereach ${VERSION}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS[first];
  if (command === undefined) {
    throw usageError('', `unknown command "${first}" for "kubereach"`);
  }
  return command.run(rest, io);
}

export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    version: VERSION,
    env: process.env,
    out: (text) => write(process.stdout, text),
    err: (text) => write(process.stderr, text),
    colors: (noColor) => colorsFor({ isTTY: process.stdout.isTTY === true, env: process.env, noColor }),
  };
}

/** Runs the CLI in this process and exits with its status. */
export async function run(): Promise<void> {
  const io = processIo();
  let status: number;
  try {
    status = await main(process.argv.slice(2), io);
  } catch (error) {
    status = await report(error, io);
  }
  // Informers, kubeconfig watchers and sockets would keep the process alive: the answer is given.
  process.exit(status);
}

export async function report(error: unknown, io: CliIo): Promise<number> {
  if (error instanceof CliError) {
    await io.err(redact(`error: ${error.message}\n${error.hint === undefined ? '' : `${error.hint}\n`}`));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  await io.err(redact(`error: ${message}\n`));
  if (process.env.KUBEREACH_DEBUG === '1' && error instanceof Error && error.stack !== undefined) {
    await io.err(redact(`${error.stack}\n`));
  }
  return EXIT_ERROR;
}
