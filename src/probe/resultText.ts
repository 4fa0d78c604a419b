/**
 * How a probe result reads in a tooltip: its timings (a phase curl never reached is "not
 * measured", not 0 ms) and its command wrapped to a tooltip's width. Pure: no `vscode`.
 */
import type { ProbeTimings } from './types.ts';

function phase(name: string, ms: number): string {
  // curl writes 0 for a phase it never reached (no connection, no first byte): not a duration.
  return ms > 0 ? `${name} ${ms.toFixed(1)} ms` : `${name} not measured`;
}

/** `DNS 0.4 ms · connect not measured · first byte not measured · total 5000.2 ms` */
export function timingsText(timings: ProbeTimings): string {
  return [
    phase('DNS', timings.namelookupMs),
    phase('connect', timings.connectMs),
    ...(timings.appconnectMs > 0 ? [phase('TLS', timings.appconnectMs)] : []),
    phase('first byte', timings.firstByteMs),
    `total ${timings.totalMs.toFixed(1)} ms`,
  ].join(' · ');
}

/**
 * A shell command broken into lines of about `width` characters with `\` continuations, only at
 * spaces outside single quotes (as `shellQuote` writes them): the lines still paste as one command.
 */
export function wrapCommand(command: string, width = 60): string {
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (const char of command) {
    if (char === "'") {
      quoted = !quoted;
    }
    if (char === ' ' && !quoted) {
      words.push(word);
      word = '';
    } else {
      word += char;
    }
  }
  words.push(word);
  const lines: string[] = [];
  let line = '';
  for (const next of words) {
    if (line !== '' && line.length + 1 + next.length > width) {
      lines.push(line);
      line = `  ${next}`;
    } else {
      line = line === '' ? next : `${line} ${next}`;
    }
  }
  lines.push(line);
  return lines.join(' \\\n');
}
