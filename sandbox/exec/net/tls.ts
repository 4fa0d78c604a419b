/** TLS on top of a socket the sandbox gave us, with OpenSSL's failure vocabulary. */
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Socket } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { destroyOnAbort, errorCode } from './socket.ts';

/** Verification failures (X509_V_ERR_* as Node names them); everything else is a handshake failure. */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'OUT_OF_MEM',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** X509_verify_cert_error_string() and the X509_V_ERR number, for the codes Node reports. */
const VERIFY_TEXT: Record<string, [string, number]> = {
  CERT_NOT_YET_VALID: ['certificate is not yet valid', 9],
  CERT_HAS_EXPIRED: ['certificate has expired', 10],
  DEPTH_ZERO_SELF_SIGNED_CERT: ['self-signed certificate', 18],
  SELF_SIGNED_CERT_IN_CHAIN: ['self-signed certificate in certificate chain', 19],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: ['unable to get local issuer certificate', 20],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: ['unable to verify the first certificate', 21],
  CERT_REVOKED: ['certificate revoked', 23],
  INVALID_CA: ['invalid CA certificate', 24],
  CERT_UNTRUSTED: ['certificate not trusted', 27],
  CERT_REJECTED: ['certificate rejected', 28],
};

/** OpenSSL's text and number for a verification failure Node names by its code. */
export function verifyError(code: string, fallback = code): { text: string; number: number } {
  const known = VERIFY_TEXT[code];
  return known !== undefined
    ? { text: known[0], number: known[1] }
    : { text: fallback.split(';')[0] ?? fallback, number: 1 };
}

export type TlsFailure =
  /** The chain did not verify: `detail` is OpenSSL's X509_verify_cert_error_string(). */
  | { kind: 'verify'; detail: string; code: string }
  /** The name does not match the certificate. */
  | { kind: 'hostname'; detail: string }
  /** A protocol error: `detail` is OpenSSL's "error:0A00010B:SSL routines::wrong version number". */
  | { kind: 'protocol'; detail: string }
  /** The peer reset or closed the connection during the handshake (`errno` is set for a reset). */
  | { kind: 'syscall'; errno: string | null };

export class TlsError extends Error {
  readonly failure: TlsFailure;
  constructor(failure: TlsFailure) {
    super(failure.kind);
    this.failure = failure;
  }
}

function classify(error: unknown): TlsFailure {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return { kind: 'hostname', detail: message };
  }
  if (VERIFY_CODES.has(code)) {
    return { kind: 'verify', detail: verifyError(code, message).text, code };
  }
  const openssl = /error:([0-9A-Fa-f]{8}):([^:]*):[^:]*:([^:\n]+)/.exec(message);
  if (openssl !== null) {
    return { kind: 'protocol', detail: `error:${openssl[1]?.toUpperCase()}:${openssl[2]}::${openssl[3]}` };
  }
  if (code === 'ECONNRESET' && /disconnected before secure TLS/.test(message)) {
    return { kind: 'syscall', errno: null };
  }
  return { kind: 'syscall', errno: code.startsWith('E') && !code.startsWith('ERR_') ? code : null };
}

export interface TlsOptions {
  host: string;
  verify: boolean;
  ca?: string | undefined;
  alpn?: string[];
  signal: AbortSignal;
}

export async function startTls(socket: Socket, options: TlsOptions): Promise<TLSSocket> {
  const secure = tlsConnect({
    socket,
    host: options.host,
    servername: isIP(options.host) === 0 ? options.host : undefined,
    rejectUnauthorized: options.verify,
    ca: options.ca,
    ALPNProtocols: options.alpn ?? ['http/1.1'],
  });
  secure.on('error', () => {});
  destroyOnAbort(secure, options.signal);
  await new Promise<void>((resolve, reject) => {
    const onClose = (): void => reject(new TlsError({ kind: 'syscall', errno: null }));
    secure.once('secureConnect', () => {
      secure.removeListener('close', onClose);
      resolve();
    });
    secure.once('error', (error) => reject(new TlsError(classify(error))));
    secure.once('close', onClose);
  });
  return secure;
}

export function describeCertificate(cert: PeerCertificate): { subject: string; issuer: string } {
  const name = (fields: Record<string, string | string[] | undefined> | undefined): string =>
    Object.entries(fields ?? {})
      .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : (value ?? '')}`)
      .join('; ');
  return {
    subject: name(cert.subject as unknown as Record<string, string>),
    issuer: name(cert.issuer as unknown as Record<string, string>),
  };
}
