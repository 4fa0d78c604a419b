/**
 * The tooltip of a forwarded port's row in Active Forwards: where it listens, where it goes, its
 * traffic and its last error, and what a click does. Pure Markdown text (no `vscode`).
 */
import { escapeMarkdown, markdownCode } from '../analysis/markdown.ts';
import type { PortForwardInfo } from './types.ts';

function bytes(count: number): string {
  return count < 1024
    ? `${count} B`
    : count < 1024 * 1024
      ? `${(count / 1024).toFixed(1)} KB`
      : `${(count / 1024 / 1024).toFixed(1)} MB`;
}

export function forwardPortTooltip(forward: PortForwardInfo, index: number): string {
  const port = forward.ports[index];
  if (port === undefined) {
    return '';
  }
  const local = port.local
    ? markdownCode(
        `${port.local.address.includes(':') ? `[${port.local.address}]` : port.local.address}:${port.local.port}`,
      )
    : 'not listening';
  const remote =
    forward.spec.target.kind === 'Service'
      ? `Service port ${markdownCode(String(port.servicePort ?? port.remote))}${port.containerPort !== undefined ? ` → container port ${port.containerPort}` : ''}`
      : `container port ${markdownCode(String(port.containerPort ?? port.remote))}`;
  const lines = [
    `**${local}** → ${escapeMarkdown(forward.title)}, ${remote}`,
    forward.pod
      ? `Pod ${markdownCode(`${forward.pod.namespace}/${forward.pod.name}`)} at ${markdownCode(port.remoteAddress ?? forward.pod.ip)}`
      : 'No Pod yet',
    `Connections: ${port.connections} open, ${port.totalConnections} in all · received ${bytes(port.bytesIn)} · sent ${bytes(port.bytesOut)}`,
    ...(port.lastError ? [`Last error: ${escapeMarkdown(port.lastError)}`] : []),
    port.local ? 'Click to copy the address.' : '',
  ];
  return lines.filter((line) => line !== '').join('\n\n');
}
