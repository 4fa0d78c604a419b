/**
 * nc in its three common builds: busybox's nc 1.10 compatible applet (networking/nc_bloaty.c, the default
 * config, what Alpine and the busybox image ship), busybox's small applet (networking/nc.c, NC_110_COMPAT off)
 * and OpenBSD netcat as Debian packages it (netcat-openbsd).
 */
import { isIPv4 } from 'node:net';
import type { Socket } from 'node:net';
import { resolveHost } from '../dns.ts';
import { strerror } from '../fs.ts';
import { abortable } from '../io.ts';
import { connectTcp, NetError, SocketReader, socketWriter } from '../net/socket.ts';
import { childController, writeErr, writeFd } from '../process.ts';
import type { Proc } from '../process.ts';
import { getopt, GetoptError } from './getopt.ts';

/** Without -w a connect waits for the kernel to give up on SYN retransmissions. */
const KERNEL_CONNECT_TIMEOUT_MS = 130_000;

class ConnectTimedOut extends Error {}

async function connectWithin(
  proc: Proc,
  ip: string,
  port: number,
  timeoutMs: number | null,
): Promise<Socket> {
  const { controller, release } = childController(proc.signal);
  const limit = timeoutMs ?? KERNEL_CONNECT_TIMEOUT_MS;
  const timer = setTimeout(() => controller.abort(new ConnectTimedOut()), limit);
  try {
    return await connectTcp(proc.sys, ip, port, limit, controller.signal);
  } catch (error) {
    if (controller.signal.reason instanceof ConnectTimedOut && !proc.signal.aborted) {
      throw timeoutMs === null ? new NetError('ETIMEDOUT') : controller.signal.reason;
    }
    if (error instanceof NetError && error.code === 'ETIMEDOUT' && timeoutMs !== null) {
      throw new ConnectTimedOut();
    }
    throw error;
  } finally {
    clearTimeout(timer);
    release();
  }
}

/**
 * Shovels stdin to the socket and the socket to stdout until both directions are done, or nothing moved
 * for `idleMs` `idleRounds` times in a row.
 */
async function relay(
  proc: Proc,
  socket: Socket,
  options: { shutdownOnStdinEof: boolean; idleMs: number | null; idleRounds: number; readStdin: boolean },
): Promise<{ sent: number; received: number }> {
  const counts = { sent: 0, received: 0 };
  const { controller, release } = childController(proc.signal);
  const signal = controller.signal;
  const reader = new SocketReader(socket);
  const writer = socketWriter(socket);
  let idleTimer: NodeJS.Timeout | null = null;
  let idleLeft = options.idleRounds;
  let finish: () => void = () => {};
  const idle = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const touch = (): void => {
    idleLeft = options.idleRounds;
    if (idleTimer !== null) {
      clearTimeout(idleTimer);
    }
    if (options.idleMs !== null) {
      const ms = options.idleMs;
      const tick = (): void => {
        idleLeft--;
        if (idleLeft <= 0) {
          finish();
        } else {
          idleTimer = setTimeout(tick, ms);
        }
      };
      idleTimer = setTimeout(tick, ms);
    }
  };
  const netToStdout = async (): Promise<void> => {
    for (;;) {
      let chunk: Buffer | null;
      try {
        chunk = await abortable(reader.read(), signal);
      } catch (error) {
        if (error instanceof NetError) {
          return;
        }
        throw error;
      }
      if (chunk === null) {
        return;
      }
      touch();
      counts.received += chunk.length;
      await writeFd(proc, 1, chunk);
    }
  };
  const stdinToNet = async (): Promise<void> => {
    const stdin = proc.fds.get(0)?.input;
    if (!options.readStdin || stdin === undefined) {
      return;
    }
    for (;;) {
      const chunk = await abortable(stdin.read(), signal);
      if (chunk === null) {
        if (options.shutdownOnStdinEof) {
          writer.close();
        }
        return;
      }
      touch();
      counts.sent += chunk.length;
      try {
        await abortable(writer.write(chunk), signal);
      } catch (error) {
        if (error instanceof NetError) {
          return;
        }
        throw error;
      }
    }
  };
  touch();
  try {
    await Promise.race([Promise.all([netToStdout(), stdinToNet()]), idle]);
    return counts;
  } finally {
    if (idleTimer !== null) {
      clearTimeout(idleTimer);
    }
    controller.abort();
    release();
    socket.destroy();
  }
}

function seconds(text: string): number | null {
  return /^\d+$/.test(text) ? Number(text) : null;
}

export async function nc(proc: Proc): Promise<number> {
  switch (proc.sys.flavour('nc')) {
    case 'openbsd':
      return openbsdNc(proc);
    case 'busybox-small':
      return busyboxSmallNc(proc);
    default:
      return busyboxNc(proc);
  }
}

const BUSYBOX_NC_USAGE =
  'BusyBox v1.36.1 (2023-06-02 00:42:02 UTC) multi-call binary.\n\n' +
  'Usage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n\n' +
  '\t-e PROG\tRun PROG after connect (must be last)\n\t-l\tListen mode, for inbound connects\n' +
  '\t-lk\tWith -e, provides persistent server\n\t-p PORT\tLocal port\n\t-s ADDR\tLocal address\n' +
  '\t-w SEC\tTimeout for connects and final net reads\n\t-i SEC\tDelay interval for lines sent\n' +
  "\t-n\tDon't do DNS resolution\n\t-u\tUDP mode\n\t-b\tAllow broadcasts\n\t-v\tVerbose\n" +
  '\t-o FILE\tHex dump traffic\n\t-z\tZero-I/O mode (scanning)\n';

async function busyboxNc(proc: Proc): Promise<number> {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), { flags: 'nubvlkz', withArg: 'psweio' });
  } catch (error) {
    if (error instanceof GetoptError) {
      await writeErr(proc, BUSYBOX_NC_USAGE);
      return 1;
    }
    throw error;
  }
  const count = (key: string): number => parsed.options.filter(([k]) => k === key).length;
  for (const unsupportedKey of ['u', 'l', 'e', 'k']) {
    if (count(unsupportedKey) > 0) {
      await writeErr(proc, `nc: -${unsupportedKey} is not supported by the KubeReach sandbox\n`);
      return 1;
    }
  }
  const verbose = count('v');
  const zero = count('z') > 0;
  const waitText = parsed.options.filter(([k]) => k === 'w').pop()?.[1];
  let wait: number | null = null;
  if (waitText !== undefined) {
    wait = seconds(waitText);
    if (wait === null) {
      await writeErr(proc, `nc: invalid number '${waitText}'\n`);
      return 1;
    }
  }
  const [host, portText] = parsed.operands;
  if (host === undefined || parsed.operands.length > 2) {
    await writeErr(proc, BUSYBOX_NC_USAGE);
    return 1;
  }
  const port =
    portText !== undefined && /^\d+$/.test(portText) && Number(portText) <= 65535 ? Number(portText) : 0;
  if (count('n') > 0 && !isIPv4(host)) {
    await writeErr(proc, `nc: bad address '${host}'\n`);
    return 1;
  }
  const ip = (await resolveHost(proc.sys, host, proc.signal))[0];
  if (ip === undefined) {
    await writeErr(proc, `nc: bad address '${host}'\n`);
    return 1;
  }
  const dotted = `${ip}:${port}`;
  let socket: Socket;
  try {
    socket = await connectWithin(proc, ip, port, wait !== null && wait > 0 ? wait * 1000 : null);
  } catch (error) {
    const code =
      error instanceof ConnectTimedOut ? 'ETIMEDOUT' : error instanceof NetError ? error.code : null;
    if (code === null) {
      throw error;
    }
    // One -v does not report refusals when scanning; a second one does (nc 1.10 behaviour).
    if (verbose > 1 || (verbose > 0 && code !== 'ECONNREFUSED')) {
      await writeErr(proc, `nc: ${host} (${dotted}): ${strerror(code)}\n`);
    }
    if (verbose > 1) {
      await writeErr(proc, 'sent 0, rcvd 0\n');
    }
    return 1;
  }
  if (verbose > 0) {
    await writeErr(proc, `${host} (${dotted}) open\n`);
  }
  let counts = { sent: 0, received: 0 };
  if (zero) {
    socket.destroy();
  } else {
    counts = await relay(proc, socket, {
      shutdownOnStdinEof: true,
      idleMs: wait !== null && wait > 0 ? wait * 1000 : null,
      idleRounds: 2,
      readStdin: true,
    });
  }
  if (verbose > 1) {
    await writeErr(proc, `sent ${counts.sent}, rcvd ${counts.received}\n`);
  }
  return 0;
}

const BUSYBOX_SMALL_NC_USAGE =
  'BusyBox v1.36.1 multi-call binary.\n\n' +
  'Usage: nc [-iN] [-wN] [-l] [-p PORT] [-f FILE|IPADDR PORT] [-e PROG]\n\n' +
  'Open a pipe to IP:PORT or FILE\n\n' +
  '\t-l\tListen mode, for inbound connects\n' +
  '\t\t(use -ll with -e for persistent server)\n' +
  '\t-p PORT\tLocal port\n' +
  '\t-w SEC\tConnect timeout\n' +
  '\t-i SEC\tDelay interval for lines sent\n' +
  '\t-f FILE\tUse file (ala /dev/ttyS0) instead of network\n' +
  '\t-e PROG\tRun PROG after connect\n';

async function busyboxSmallNc(proc: Proc): Promise<number> {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), { flags: 'l', withArg: 'pwife' });
  } catch (error) {
    if (error instanceof GetoptError) {
      await writeErr(
        proc,
        `nc: ${error.kind === 'missing' ? 'option requires an argument' : 'invalid option'} -- '${error.option}'\n${BUSYBOX_SMALL_NC_USAGE}`,
      );
      return 1;
    }
    throw error;
  }
  const [host, portText] = parsed.operands;
  if (
    host === undefined ||
    portText === undefined ||
    parsed.operands.length > 2 ||
    parsed.options.some(([k]) => k === 'l')
  ) {
    await writeErr(proc, BUSYBOX_SMALL_NC_USAGE);
    return 1;
  }
  const waitText = parsed.options.filter(([k]) => k === 'w').pop()?.[1];
  const wait = waitText !== undefined ? seconds(waitText) : null;
  const port = /^\d+$/.test(portText) ? Number(portText) : 0;
  const ip = (await resolveHost(proc.sys, host, proc.signal))[0];
  if (ip === undefined) {
    await writeErr(proc, `nc: bad address '${host}'\n`);
    return 1;
  }
  let socket: Socket;
  try {
    socket = await connectWithin(proc, ip, port, wait !== null && wait > 0 ? wait * 1000 : null);
  } catch (error) {
    if (error instanceof ConnectTimedOut) {
      await writeErr(proc, 'nc: timed out\n');
      return 1;
    }
    if (error instanceof NetError) {
      await writeErr(proc, `nc: can't connect to remote host (${ip}): ${strerror(error.code)}\n`);
      return 1;
    }
    throw error;
  }
  // nc.c: at the end of stdin, shutdown(SHUT_WR) "so they get EOF", and the reply is still read.
  await relay(proc, socket, { shutdownOnStdinEof: true, idleMs: null, idleRounds: 1, readStdin: true });
  return 0;
}

const OPENBSD_USAGE =
  'usage: nc [-46CDdFhklNnrStUuvZz] [-I length] [-i interval] [-M ttl]\n' +
  '\t  [-m minttl] [-O length] [-P proxy_username] [-p source_port]\n' +
  '\t  [-q seconds] [-s sourceaddr] [-T keyword] [-V rtable] [-W recvlimit]\n' +
  '\t  [-w timeout] [-X proxy_protocol] [-x proxy_address[:port]]\n' +
  '\t  [destination] [port]\n';

/** `nc -h` of Debian's netcat-openbsd: its header, the usage, the summary; exit status 0. */
const OPENBSD_HELP =
  'OpenBSD netcat (Debian patchlevel 1.219-1)\n' +
  OPENBSD_USAGE +
  '\tCommand Summary:\n' +
  '\t\t-4\t\tUse IPv4\n' +
  '\t\t-6\t\tUse IPv6\n' +
  '\t\t-b\t\tAllow broadcast\n' +
  '\t\t-C\t\tSend CRLF as line-ending\n' +
  '\t\t-D\t\tEnable the debug socket option\n' +
  '\t\t-d\t\tDetach from stdin\n' +
  '\t\t-F\t\tPass socket fd\n' +
  '\t\t-h\t\tThis help text\n' +
  '\t\t-I length\tTCP receive buffer length\n' +
  '\t\t-i interval\tDelay interval for lines sent, ports scanned\n' +
  '\t\t-k\t\tKeep inbound sockets open for multiple connects\n' +
  '\t\t-l\t\tListen mode, for inbound connects\n' +
  '\t\t-M ttl\t\tOutgoing TTL / Hop Limit\n' +
  '\t\t-m minttl\tMinimum incoming TTL / Hop Limit\n' +
  '\t\t-N\t\tShutdown the network socket after EOF on stdin\n' +
  '\t\t-n\t\tSuppress name/port resolutions\n' +
  '\t\t-O length\tTCP send buffer length\n' +
  '\t\t-P proxyuser\tUsername for proxy authentication\n' +
  '\t\t-p port\t\tSpecify local port for remote connects\n' +
  '\t\t-q secs\t\tquit after EOF on stdin and delay of secs\n' +
  '\t\t-r\t\tRandomize remote ports\n' +
  '\t\t-S\t\tEnable the TCP MD5 signature option\n' +
  '\t\t-s sourceaddr\tLocal source address\n' +
  '\t\t-T keyword\tTOS value\n' +
  '\t\t-t\t\tAnswer TELNET negotiation\n' +
  '\t\t-U\t\tUse UNIX domain socket\n' +
  '\t\t-u\t\tUDP mode\n' +
  '\t\t-V rtable\tSpecify alternate routing table\n' +
  '\t\t-v\t\tVerbose\n' +
  '\t\t-W recvlimit\tTerminate after receiving a number of packets\n' +
  '\t\t-w timeout\tTimeout for connects and final net reads\n' +
  '\t\t-X proto\tProxy protocol: "4", "5" (SOCKS) or "connect"\n' +
  '\t\t-x addr[:port]\tSpecify proxy address and port\n' +
  '\t\t-Z\t\tDCCP mode\n' +
  '\t\t-z\t\tZero-I/O mode [used for scanning]\n' +
  '\tPort numbers can be individual or ranges: lo-hi [inclusive]\n';

async function openbsdNc(proc: Proc): Promise<number> {
  let parsed;
  try {
    parsed = getopt(proc.argv.slice(1), { flags: '46bCDdFhklNnrStUuvZz', withArg: 'IiMmOPpqsTVWwXx' });
  } catch (error) {
    if (error instanceof GetoptError) {
      await writeErr(
        proc,
        `${error.kind === 'missing' ? `nc: option requires an argument -- '${error.option}'` : `nc: invalid option -- '${error.option}'`}\n${OPENBSD_USAGE}`,
      );
      return 1;
    }
    throw error;
  }
  const has = (key: string): boolean => parsed.options.some(([k]) => k === key);
  const value = (key: string): string | undefined => parsed.options.filter(([k]) => k === key).pop()?.[1];
  if (has('h')) {
    await writeErr(proc, OPENBSD_HELP);
    return 0;
  }
  for (const key of ['l', 'u', 'U', 'x', 'X', 'k', 'F']) {
    if (has(key)) {
      await writeErr(proc, `nc: -${key} is not supported by the KubeReach sandbox\n`);
      return 1;
    }
  }
  const verbose = has('v');
  const zero = has('z');
  const numeric = has('n');
  let timeoutMs: number | null = null;
  const waitText = value('w');
  if (waitText !== undefined) {
    const wait = seconds(waitText);
    if (wait === null) {
      await writeErr(proc, `nc: timeout invalid: ${waitText}\n`);
      return 1;
    }
    timeoutMs = wait > 0 ? wait * 1000 : null;
  }
  const [host, portSpec] = parsed.operands;
  if (host === undefined) {
    await writeErr(proc, OPENBSD_USAGE);
    return 1;
  }
  if (portSpec === undefined) {
    await writeErr(proc, 'nc: missing port number\n');
    return 1;
  }
  const range = /^(\d+)(?:-(\d+))?$/.exec(portSpec);
  if (range === null || Number(range[1]) > 65535 || Number(range[2] ?? range[1]) > 65535) {
    await writeErr(proc, `nc: port number invalid: ${portSpec}\n`);
    return 1;
  }
  const low = Number(range[1]);
  const high = Number(range[2] ?? range[1]);
  const ports: number[] = [];
  for (let port = Math.min(low, high); port <= Math.max(low, high); port++) {
    ports.push(port);
  }
  let ret = 1;
  for (const port of ports) {
    const addresses = numeric && !isIPv4(host) ? [] : await resolveHost(proc.sys, host, proc.signal);
    if (addresses.length === 0) {
      await writeErr(
        proc,
        `nc: getaddrinfo for host "${host}" port ${port}: ${numeric ? 'Name or service not known' : 'Name or service not known'}\n`,
      );
      return 1;
    }
    let socket: Socket | null = null;
    let connectedIp = '';
    for (const ip of addresses) {
      try {
        socket = await connectWithin(proc, ip, port, timeoutMs);
        connectedIp = ip;
        break;
      } catch (error) {
        const timedOut = error instanceof ConnectTimedOut;
        if (!timedOut && !(error instanceof NetError)) {
          throw error;
        }
        if (verbose) {
          const what = timedOut ? 'timed out' : 'failed';
          const errno = timedOut ? 'EINPROGRESS' : (error as NetError).code;
          const where = numeric || host === ip ? `${host} port ${port}` : `${host} (${ip}) port ${port}`;
          await writeErr(proc, `nc: connect to ${where} (tcp) ${what}: ${strerror(errno)}\n`);
        }
      }
    }
    if (socket === null) {
      continue;
    }
    ret = 0;
    if (verbose) {
      const shown = numeric || host === connectedIp ? '' : ` (${connectedIp})`;
      await writeErr(proc, `Connection to ${host}${shown} ${port} port [tcp/*] succeeded!\n`);
    }
    if (zero) {
      socket.destroy();
      continue;
    }
    const quit = value('q');
    await relay(proc, socket, {
      shutdownOnStdinEof: has('N') || (quit !== undefined && Number(quit) >= 0),
      idleMs: timeoutMs,
      idleRounds: 1,
      readStdin: !has('d'),
    });
  }
  return ret;
}
