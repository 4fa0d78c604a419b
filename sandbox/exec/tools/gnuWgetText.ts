/**
 * GNU wget's texts that do not depend on the transfer: how it rewrites the URL it is given, its
 * `--version`, the human-readable length. Found by the differential suite against Debian's wget
 * (test/conformance/sandboxTools.test.ts).
 */

/** wget's url.c `urlchr_table`: R reserved, U unsafe. */
const RESERVED = new Set([...'#$&+,/:;=?@[]']);

function unsafe(code: number): boolean {
  return code <= 0x20 || code >= 0x7f || '"%<>\\^`{|}'.includes(String.fromCharCode(code));
}

/**
 * The URL as wget requests and prints it: in the C locale (an exec's usual environment) it converts the
 * URL to UTF-8, which decodes every %XX except those of reserved characters (`url_unescape_except_reserved`),
 * then escapes the unsafe characters that are not reserved (`reencode_escapes`): `%41` becomes `A`, `{` becomes
 * `%7B`, `%20` stays, `[` and `]` stay.
 */
export function gnuWgetUrl(url: string): string {
  const bytes = Buffer.from(url, 'utf8');
  const decoded: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
    if (bytes[i] === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      const value = parseInt(hex, 16);
      if (value !== 0 && !RESERVED.has(String.fromCharCode(value))) {
        decoded.push(value);
        i += 2;
        continue;
      }
    }
    decoded.push(bytes[i]!);
  }
  let out = '';
  for (let i = 0; i < decoded.length; i++) {
    const code = decoded[i]!;
    const escapedAlready =
      code === 0x25 && /^[0-9A-Fa-f]{2}$/.test(String.fromCharCode(decoded[i + 1] ?? 0, decoded[i + 2] ?? 0));
    out +=
      unsafe(code) && !escapedAlready
        ? `%${code.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(code);
  }
  return out;
}

/** http.c: wildcards in an HTTP path are taken literally, with this warning (unless -q or -nv). */
export function hasWildcards(path: string): boolean {
  return /[*?[\]]/.test(path);
}

/** utils.c `human_readable(n, 10, 1)`, as after "Length: N" from 1024 bytes on: 293K, 1.5M. */
export function humanReadable(bytes: number): string {
  let n = bytes;
  for (const power of ['K', 'M', 'G', 'T']) {
    if (n / 1024 < 1024 || power === 'T') {
      const value = n / 1024;
      return `${value < 10 ? value.toFixed(1) : value.toFixed(0)}${power}`;
    }
    n = Math.floor(n / 1024);
  }
  return String(bytes);
}

export const GNU_WGET_VERSION =
  'GNU Wget 1.21.4 built on linux-gnu.\n\n' +
  '-cares +digest -gpgme +https +ipv6 +iri +large-file -metalink +nls \n' +
  '+ntlm +opie +psl +ssl/gnutls \n\n' +
  'Copyright (C) 2015 Free Software Foundation, Inc.\n' +
  'License GPLv3+: GNU GPL version 3 or later\n' +
  '<http://www.gnu.org/licenses/gpl.html>.\n' +
  'This is free software: you are free to change and redistribute it.\n' +
  'There is NO WARRANTY, to the extent permitted by law.\n\n' +
  'Originally written by Hrvoje Niksic <hniksic@xemacs.org>.\n' +
  'Please send bug reports and questions to <bug-wget@gnu.org>.\n';

/**
 * What Debian's wget (built with GnuTLS, src/gnutls.c `ssl_check_certificate`) says of a certificate
 * Node rejected with `code`, as ERROR (verifying) or WARNING (`--no-check-certificate`), or undefined
 * for a failure whose GnuTLS wording is not known here.
 */
export function gnutlsCertificateComplaints(
  code: string,
  host: string,
  severity: 'ERROR' | 'WARNING',
): string | undefined {
  const of = `The certificate of '${host}'`;
  const lines: Record<string, string[]> = {
    DEPTH_ZERO_SELF_SIGNED_CERT: ['is not trusted.', "doesn't have a known issuer."],
    SELF_SIGNED_CERT_IN_CHAIN: ['is not trusted.', "doesn't have a known issuer."],
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['is not trusted.', "doesn't have a known issuer."],
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['is not trusted.', "doesn't have a known issuer."],
    CERT_HAS_EXPIRED: ['is not trusted.', 'has expired'],
    CERT_NOT_YET_VALID: ['is not trusted.', 'is not yet activated'],
  };
  const found = lines[code];
  return found?.map((line) => `${severity}: ${of} ${line}\n`).join('');
}

/** GnuTLS's own line before "Unable to establish SSL connection.", where its wording is known. */
export function gnutlsHandshakeLine(detail: string): string {
  return /wrong version number/.test(detail) ? 'GnuTLS: An unexpected TLS packet was received.\n' : '';
}
