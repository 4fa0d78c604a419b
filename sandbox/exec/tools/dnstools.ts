/** getent (glibc) and nslookup (busybox 1.36, or BIND's) against the cluster DNS. */
import { isIP, isIPv4 } from 'node:net';
import { canonicalLookup, searchCandidates } from '../dns.ts';
import { writeErr, writeOut } from '../process.ts';
import type { Proc, System } from '../process.ts';

interface HostsEntry {
  address: string;
  names: string[];
}

function hostsFile(sys: System): HostsEntry[] {
  let text = '';
  try {
    text = sys.fs.readFile('/etc/hosts').toString();
  } catch {
    return [];
  }
  const entries: HostsEntry[] = [];
  for (const line of text.split('\n')) {
    const [address, ...names] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (address !== undefined && isIP(address) !== 0 && names.length > 0) {
      entries.push({ address, names });
    }
  }
  return entries;
}

function hostsByName(sys: System, name: string, family: 4 | 6): HostsEntry | null {
  const wanted = name.toLowerCase();
  const matches = hostsFile(sys).filter(
    (entry) => isIP(entry.address) === family && entry.names.some((n) => n.toLowerCase() === wanted),
  );
  const first = matches[0];
  if (first === undefined) {
    return null;
  }
  return { address: matches.map((m) => m.address).join(' '), names: first.names };
}

const line15 = (ip: string, rest: string): string => `${ip.padEnd(15)} ${rest}\n`;

/** What gethostbyname2() finds: /etc/hosts, then the DNS with the search path. */
async function lookupHost(proc: Proc, key: string): Promise<Array<{ address: string; names: string[] }>> {
  for (const family of [6, 4] as const) {
    const entry = hostsByName(proc.sys, key, family);
    if (entry !== null) {
      return entry.address.split(' ').map((address) => ({ address, names: entry.names }));
    }
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(key)) {
    return [];
  }
  const found = await canonicalLookup(proc.sys, key, proc.signal);
  return found === null ? [] : found.addresses.map((address) => ({ address, names: [found.canonical] }));
}

export async function getent(proc: Proc): Promise<number> {
  const [database, ...keys] = proc.argv.slice(1);
  if (database === undefined) {
    await writeErr(
      proc,
      "getent: wrong number of arguments\nTry `getent --help' or `getent --usage' for more information.\n",
    );
    return 1;
  }
  if (!['hosts', 'ahosts', 'ahostsv4', 'ahostsv6'].includes(database)) {
    const known = [
      'passwd',
      'group',
      'services',
      'protocols',
      'networks',
      'shadow',
      'ethers',
      'netgroup',
      'rpc',
      'initgroups',
      'aliases',
      'gshadow',
    ];
    if (known.includes(database)) {
      await writeErr(proc, `getent: the ${database} database is not emulated by the KubeReach sandbox\n`);
      return 1;
    }
    await writeErr(
      proc,
      `Unknown database: ${database}\nTry \`getent --help' or \`getent --usage' for more information.\n`,
    );
    return 1;
  }
  if (keys.length === 0) {
    if (database !== 'hosts') {
      await writeErr(proc, 'Enumeration not supported on ahosts\n');
      return 1;
    }
    await writeOut(
      proc,
      hostsFile(proc.sys)
        .map((entry) => line15(entry.address, entry.names.join(' ')))
        .join(''),
    );
    return 0;
  }
  let status = 0;
  for (const key of keys) {
    let text = '';
    if (database === 'hosts') {
      if (isIP(key) !== 0) {
        const entry = hostsFile(proc.sys).find((candidate) => candidate.address === key);
        text = entry !== undefined ? line15(key, entry.names.join(' ')) : '';
      } else {
        const found = await lookupHost(proc, key);
        text = found.map((entry) => line15(entry.address, entry.names.join(' '))).join('');
      }
    } else {
      const v4only = database === 'ahostsv4';
      let results: Array<{ address: string; canonical: string }> = [];
      if (isIP(key) !== 0) {
        results = v4only && !isIPv4(key) ? [] : [{ address: key, canonical: key }];
      } else {
        for (const family of v4only ? ([4] as const) : ([6, 4] as const)) {
          const entry = hostsByName(proc.sys, key, family);
          if (entry !== null) {
            results.push(
              ...entry.address.split(' ').map((address) => ({ address, canonical: entry.names[0] ?? key })),
            );
          }
        }
        if (results.length === 0 && /^[A-Za-z0-9_.-]+$/.test(key)) {
          const found = await canonicalLookup(proc.sys, key, proc.signal);
          results =
            found === null ? [] : found.addresses.map((address) => ({ address, canonical: found.canonical }));
        }
        if (database === 'ahostsv6') {
          results = results.filter((r) => !isIPv4(r.address));
        }
      }
      results.forEach((result, index) => {
        for (const type of ['STREAM', 'DGRAM', 'RAW']) {
          const canon = index === 0 && type === 'STREAM' ? result.canonical : '';
          text += `${result.address.padEnd(15)} ${type.padEnd(6)} ${canon}\n`;
        }
      });
    }
    if (text === '') {
      status = 2;
    } else {
      await writeOut(proc, text);
    }
  }
  return status;
}

/** Whether the cluster DNS answers for this name with authority (its own zone). */
function authoritative(sys: System, name: string): boolean {
  return name === sys.dns.clusterDomain || name.endsWith(`.${sys.dns.clusterDomain}`);
}

/** Answers a query for exactly this name (no search path), as the DNS server would. */
async function queryExact(proc: Proc, name: string): Promise<string[] | null> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    return null;
  }
  const found = await canonicalLookup(proc.sys, name, proc.signal);
  return found !== null && found.canonical.toLowerCase() === name.toLowerCase().replace(/\.$/, '')
    ? found.addresses
    : null;
}

export async function nslookup(proc: Proc): Promise<number> {
  const args = proc.argv.slice(1).filter((arg) => !arg.startsWith('-'));
  const options = proc.argv.slice(1).filter((arg) => arg.startsWith('-'));
  const [name, server] = args;
  const bind = proc.sys.flavour('nslookup') === 'bind';
  if (name === undefined) {
    await writeErr(
      proc,
      bind
        ? 'nslookup: interactive mode is not supported by the KubeReach sandbox\n'
        : 'BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n',
    );
    return 1;
  }
  const typeOption = options.find((option) => /^-(type|query|q)=/i.test(option));
  const type = typeOption?.split('=')[1]?.toLowerCase();
  if (type !== undefined && type !== 'a' && type !== 'aaaa') {
    await writeErr(proc, `nslookup: -type=${type} is not supported by the KubeReach sandbox\n`);
    return 1;
  }
  const serverIp = server ?? proc.sys.dns.nameserver;
  if (server !== undefined && server !== proc.sys.dns.nameserver) {
    await writeErr(
      proc,
      `nslookup: only the cluster DNS (${proc.sys.dns.nameserver}) is emulated by the KubeReach sandbox\n`,
    );
    return 1;
  }
  if (bind) {
    return bindNslookup(proc, name, serverIp, type);
  }
  let out = `Server:\t\t${serverIp}\nAddress:\t${serverIp}:53\n\n`;
  let exit = 0;
  if (isIPv4(name)) {
    const ptr = `${name.split('.').reverse().join('.')}.in-addr.arpa`;
    const entry = hostsFile(proc.sys).find((candidate) => candidate.address === name);
    if (entry !== undefined && name === proc.sys.ctx.pod.ip) {
      out += `${ptr}\tname = ${name.replace(/\./g, '-')}.${proc.sys.ctx.pod.namespace}.pod.${proc.sys.dns.clusterDomain}\n\n`;
    } else {
      out += `** server can't find ${ptr}: NXDOMAIN\n\n`;
      exit = 1;
    }
    await writeOut(proc, out);
    return exit;
  }
  // Like add_query_with_search(): the search path applies only to names without a dot.
  const names = !name.includes('.')
    ? proc.sys.dns.search.map((domain) => `${name}.${domain}`)
    : [name.replace(/\.$/, '')];
  const types = type === undefined ? ['a', 'aaaa'] : [type];
  for (const queryType of types) {
    for (const query of names) {
      const addresses = await queryExact(proc, query);
      if (addresses === null) {
        out += `** server can't find ${query}: NXDOMAIN\n\n`;
        exit = 1;
        continue;
      }
      if (!authoritative(proc.sys, query)) {
        out += 'Non-authoritative answer:\n';
      }
      if (queryType === 'a') {
        out += addresses.map((address) => `Name:\t${query}\nAddress: ${address}\n`).join('');
      }
      out += '\n';
    }
  }
  await writeOut(proc, out);
  return exit;
}

async function bindNslookup(
  proc: Proc,
  name: string,
  serverIp: string,
  type: string | undefined,
): Promise<number> {
  let out = `Server:\t\t${serverIp}\nAddress:\t${serverIp}#53\n\n`;
  if (isIPv4(name)) {
    out += `** server can't find ${name.split('.').reverse().join('.')}.in-addr.arpa: NXDOMAIN\n\n`;
    await writeOut(proc, out);
    return 1;
  }
  for (const candidate of searchCandidates(proc.sys, name)) {
    const addresses = await queryExact(proc, candidate);
    if (addresses !== null) {
      if (!authoritative(proc.sys, candidate)) {
        out += 'Non-authoritative answer:\n';
      }
      if (type !== 'aaaa') {
        out += addresses.map((address) => `Name:\t${candidate}\nAddress: ${address}\n`).join('');
      } else {
        out += `*** Can't find ${candidate}: No answer\n`;
      }
      await writeOut(proc, `${out}\n`);
      return 0;
    }
  }
  out += `** server can't find ${name}: NXDOMAIN\n\n`;
  await writeOut(proc, out);
  return 1;
}
