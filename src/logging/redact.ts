/**
 * Removes credentials from text before it reaches a log: bearer tokens, basic-auth passwords,
 * kubeconfig secrets and PEM keys. Pure, so the explorer, the forwards and the server can share it.
 */
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/(authorization:\s*(?:bearer|basic)\s+)[^\s"',]+/gi, '$1<redacted>'],
  [/\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1<redacted>'],
  [
    /("?(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token|secret)"?\s*[:=]\s*"?)[^\s"',}]+/gi,
    '$1<redacted>',
  ],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '<redacted private key>'],
  [/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1<redacted>@'],
];

export function redact(text: string): string {
  let result = text;
  for (const [pattern, replacement] of PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  return result;
}
