/**
 * Tool detection decisions: reading `command -v`'s output, and choosing the tool for a probe.
 * Pure: the engine runs the detection commands from `commands.ts` and hands the output here.
 *
 * Preference: for HTTP, curl (status and timings), then wget (status), then nc (a raw HTTP/1.1
 * request on its stdin, plain http only), then bash's `/dev/tcp` (TCP connection only). For TCP,
 * the tools that connect without speaking HTTP first: nc (`-z`), bash, then curl and wget, which
 * can only infer the connection from an HTTP attempt.
 */
import type { ProbeToolName, ResolvedTarget, ToolSet } from './types.ts';

export const NO_TOOLS: ToolSet = {
  curl: false,
  wget: false,
  nc: false,
  bash: false,
  timeout: false,
  shell: null,
};

const KNOWN = ['curl', 'wget', 'nc', 'bash', 'timeout'] as const;

/**
 * Reads the output of `DETECT_SCRIPT`: one line per tool found, a path (`/usr/bin/curl`) or, for a
 * builtin or alias, the bare name. Lines that name nothing known (an alias definition) are ignored.
 */
export function parseDetectionOutput(stdout: string, shell: 'sh' | 'bash'): ToolSet {
  const found = new Set<string>();
  for (const line of stdout.split('\n')) {
    const text = line.trim();
    if (text === '' || text.startsWith('alias ')) {
      continue;
    }
    const base = text.slice(text.lastIndexOf('/') + 1);
    if ((KNOWN as readonly string[]).includes(base)) {
      found.add(base);
    }
  }
  return {
    curl: found.has('curl'),
    wget: found.has('wget'),
    nc: found.has('nc'),
    // The detection ran in bash: bash is there even if `command -v bash` said nothing.
    bash: found.has('bash') || shell === 'bash',
    timeout: found.has('timeout'),
    shell,
  };
}

/** A tool set from direct runs (no shell): each tool that the runtime could start. */
export function directDetection(started: { curl: boolean; wget: boolean; nc: boolean }): ToolSet {
  return { ...NO_TOOLS, ...started };
}

export function hasProbingTool(tools: ToolSet): boolean {
  return tools.curl || tools.wget || tools.nc || tools.bash;
}

/** The tools that can probe `target`, best first. */
export function toolPreference(target: Pick<ResolvedTarget, 'protocol'>): readonly ProbeToolName[] {
  return target.protocol === 'http' ? ['curl', 'wget', 'nc', 'bash'] : ['nc', 'bash', 'curl', 'wget'];
}

/** The tool to probe `target` with, or undefined when the container has none. */
export function chooseTool(
  tools: ToolSet,
  target: Pick<ResolvedTarget, 'protocol'>,
): ProbeToolName | undefined {
  return toolPreference(target).find((tool) => tools[tool]);
}

export function describeTools(tools: ToolSet): string {
  const present = (['curl', 'wget', 'nc', 'bash'] as const).filter((tool) => tools[tool]);
  return present.length === 0 ? 'none of curl, wget, nc or bash' : present.join(', ');
}
