/**
 * The flavours of the sandbox's tools that this Debian host has, and how it runs each: the busybox
 * applets through the busybox binary.
 */

/** A Debian image: dash as sh, GNU coreutils. */
export const DEBIAN: Readonly<Record<string, string>> = { sh: 'dash', utils: 'gnu' };
export const TOOLS = ['sh', 'bash', 'curl', 'wget', 'nc', 'timeout', 'getent', 'nslookup'] as const;

/** How a tool of the Pod runs on the host, per flavour: the busybox applets through the busybox binary. */
export interface Variant {
  readonly label: string;
  readonly flavours: Readonly<Record<string, string>>;
  /** The argv on the host, from the Pod's. */
  readonly host: (argv: readonly string[]) => readonly string[];
}

const same = (argv: readonly string[]): readonly string[] => argv;
const applet = (argv: readonly string[]): readonly string[] => ['busybox', ...argv];

export const VARIANTS: Readonly<Record<string, readonly Variant[]>> = {
  curl: [{ label: '', flavours: DEBIAN, host: same }],
  wget: [
    { label: ' [GNU]', flavours: { ...DEBIAN, wget: 'gnu' }, host: same },
    { label: ' [busybox]', flavours: { ...DEBIAN, wget: 'busybox' }, host: applet },
  ],
  nc: [
    { label: ' [OpenBSD]', flavours: { ...DEBIAN, nc: 'openbsd' }, host: same },
    // Debian's busybox has the small applet (no NC_110_COMPAT: no -z, no -v).
    { label: ' [busybox]', flavours: { ...DEBIAN, nc: 'busybox-small' }, host: applet },
  ],
  timeout: [
    { label: '', flavours: DEBIAN, host: same },
    { label: ' [busybox timeout]', flavours: { ...DEBIAN, utils: 'busybox' }, host: applet },
  ],
};
