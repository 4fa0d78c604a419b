/**
 * A throwaway certificate authority and a serving certificate for 127.0.0.1, made at start-up.
 * The CA goes into the kubeconfig, so kubectl and client-node verify the server as they would a
 * real one; nothing is ever signed with a long-lived key.
 */
import { generate } from 'selfsigned';

export interface SandboxCertificates {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

export async function makeCertificates(): Promise<SandboxCertificates> {
  const now = new Date();
  const notAfterDate = new Date(now.getTime() + 7 * 24 * 3600 * 1000);
  const notBeforeDate = new Date(now.getTime() - 60_000);
  const ca = await generate([{ name: 'commonName', value: 'kubereach-sandbox-ca' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes.default.svc' },
        ],
      },
    ],
  });
  return { caCert: ca.cert, cert: server.cert, key: server.private };
}
