/** Name resolution as the C libraries in the pod do it: /etc/hosts first, then the cluster DNS. */
import { isIPv4 } from 'node:net';
import { abortable } from './io.ts';
import type { System } from './process.ts';

/** IPv4 entries of /etc/hosts for a name (the file may have been rewritten by the exec). */
export function hostsLookup(sys: System, name: string): { addresses: string[]; canonical: string } | null {
  let text: string;
  try {
    text = sys.fs.readFile('/etc/hosts').toString();
  } catch {
    return null;
  }
  const wanted = name.toLowerCase().replace(/\.$/, '');
  const addresses: string[] = [];
  let canonical = '';
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    const [address, ...names] = fields;
    if (address === undefined || !isIPv4(address)) {
      continue;
    }
    if (names.some((entry) => entry.toLowerCase() === wanted)) {
      addresses.push(address);
      canonical ||= names[0] ?? name;
    }
  }
  return addresses.length > 0 ? { addresses, canonical } : null;
}

/** Addresses for a host as getaddrinfo() returns them (IPv4 only), or [] when the name does not resolve. */
export async function resolveHost(sys: System, host: string, signal: AbortSignal): Promise<string[]> {
  if (isIPv4(host)) {
    return [host];
  }
  const fromHosts = hostsLookup(sys, host);
  if (fromHosts !== null) {
    return fromHosts.addresses;
  }
  if (host === '' || !/^[A-Za-z0-9_.-]+$/.test(host)) {
    return [];
  }
  return (await query(sys, host.replace(/\.$/, ''), signal)).filter((address) => isIPv4(address));
}

/** One query to the cluster DNS; a failing resolver is a name that does not resolve, as for getaddrinfo(). */
async function query(sys: System, name: string, signal: AbortSignal): Promise<string[]> {
  try {
    return await abortable(sys.ctx.network.resolve(name), signal);
  } catch (error) {
    if (signal.aborted) {
      throw error;
    }
    return [];
  }
}

/** The names the resolver tries for a query, in order (resolv.conf `search` with `ndots:5`). */
export function searchCandidates(sys: System, name: string): string[] {
  if (name.endsWith('.')) {
    return [name.slice(0, -1)];
  }
  const expanded = sys.dns.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= 5 ? [name, ...expanded] : [...expanded, name];
}

/**
 * The fully qualified name that answered and its addresses, for tools that print it (getent, nslookup).
 * `candidates` limits which query names are tried, for resolvers that do not use the search path.
 */
export async function canonicalLookup(
  sys: System,
  name: string,
  signal: AbortSignal,
  candidates: string[] = searchCandidates(sys, name),
): Promise<{ canonical: string; addresses: string[] } | null> {
  const fromHosts = hostsLookup(sys, name);
  if (fromHosts !== null) {
    return fromHosts;
  }
  for (const candidate of candidates) {
    if (!/^[A-Za-z0-9_.-]+$/.test(candidate)) {
      return null;
    }
    const addresses = (await query(sys, candidate, signal)).filter((a) => isIPv4(a));
    if (addresses.length > 0) {
      return { canonical: candidate, addresses };
    }
  }
  return null;
}
