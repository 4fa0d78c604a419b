/**
 * Removes credentials from text before anyone sees it: the log, notifications, views, webviews,
 * exports, hovers, probe results and error messages all pass through `redact`. It imports nothing,
 * so the extension host, the cluster layer and the language server share it.
 *
 * What it recognises:
 * - a credential-like key (`token`, `id-token`, `password`, `secret`, `client-key-data`,
 *   `authorization`, `cookie`, `set-cookie`, `x-api-key`, `apiKey`, …) followed by `:` or `=`,
 *   quoted or not, in YAML, JSON (also JSON escaped inside a JSON string, as in a Kubernetes
 *   `Status` message), HTTP headers and flags. A double- or single-quoted value is removed up to
 *   its closing quote, an unquoted value after `:` up to the end of the line (a password may hold
 *   spaces), after `=` up to the next space or `&`. The scheme of an authorization stays
 *   (`Basic <redacted>`).
 * - `Bearer <token>` anywhere;
 * - the `value` of a `{name, value}` environment entry (a kubeconfig user's exec `env`), in YAML
 *   and JSON;
 * - PEM private keys, also when cut off before their END line, and base64-encoded PEM
 *   (`LS0tLS1CRUdJTi…`, as in `client-key-data`);
 * - userinfo in URLs (`https://user:pass@host` becomes `https://user:<redacted>@host`), also when a
 *   path normalisation left one slash (`/home/me/https:/user:pass@host`);
 * - the literal values of secrets the process knows (`rememberSecrets`): the kubeconfig's tokens,
 *   passwords and exec `env` values, which an exec credential plugin may echo in any form.
 *
 * `redact` is idempotent: redacting twice gives the same text.
 */

export const REDACTED = '<redacted>';

const KEY =
  '[A-Za-z0-9_.-]{0,40}?(?:token|password|passwd|secret|api[-_]?key|authorization|cookie|' +
  'client[-_]?key[-_]?data|client[-_]?certificate[-_]?data|private[-_]?key|credentials?)';

/**
 * A key, its optional quotes (plain or JSON-escaped), the separator, then the value in one of its
 * forms: `\"…\"` (JSON inside a JSON string), `"…"`, `'…'`, or bare.
 */
const KEYED = new RegExp(
  `(?<![A-Za-z0-9_])((?:\\\\?["'])?${KEY}(?:\\\\?["'])?\\s*([:=])[ \\t]*)` +
    `(\\\\"(?:(?!\\\\")[^\\n])*(?:\\\\")?|"(?:[^"\\\\\\n]|\\\\.)*"?|'(?:[^'\\n]|'')*'?|[^\\s"'][^\\n]*)`,
  'gi',
);

/** An authorization's scheme, kept in front of the redacted value. */
const SCHEME = /^(?:basic|bearer|digest|negotiate|ntlm|token|aws4-hmac-sha256)\s+/i;

const BEARER = /\b(bearer\s+)(?!<redacted>)[A-Za-z0-9\-._~+/]+=*/gi;

/** `- name: X` then `value: Y` (YAML), or `"name": "X", "value": "Y"` (JSON, also escaped). */
const ENV_YAML = /(\bname:[ \t]*[^\n]*\n[ \t]*-?[ \t]*value:[ \t]*)([^\s][^\n]*)/g;
const ENV_JSON =
  /((\\?")name\2\s*:\s*\2(?:(?!\2)[^\n])*\2\s*,\s*\2value\2\s*:\s*)(\\?"(?:(?!\\?")[^\n])*(?:\\?")?)/g;

const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?:-----)?[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
/** base64 of `-----BEGIN` (a kubeconfig's `client-key-data`, wherever it is quoted). */
const PEM_BASE64 = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;

/**
 * `//userinfo@`: up to the last `@` before the path. Also `scheme:/userinfo@`, a URL whose `//` a
 * path normalisation collapsed (a URL pasted where a file path belongs: `resolve('https://u:p@h')`).
 */
const USERINFO = /(\b[a-zA-Z][a-zA-Z0-9+.-]*:\/(?!\/)|\/\/)([^\s/?#"'<>\\]*)@/g;

const SECRETS_KEY = Symbol.for('kubereach.redact.secrets');

/** Known secret values, shared by every bundle loaded in this process (they each carry this module). */
function knownSecrets(): Set<string> {
  const holder = globalThis as { [SECRETS_KEY]?: Set<string> };
  holder[SECRETS_KEY] ??= new Set<string>();
  return holder[SECRETS_KEY];
}

/** Shorter values would match ordinary words; they are still caught by the patterns above. */
const MIN_SECRET_LENGTH = 6;

/**
 * Remembers secret values (a kubeconfig's tokens, passwords, exec `env` values) so that `redact`
 * removes them wherever they appear, whatever surrounds them (an exec plugin's stderr).
 */
export function rememberSecrets(values: Iterable<string | undefined | null>): void {
  const secrets = knownSecrets();
  for (const value of values) {
    const text = value?.trim();
    if (text !== undefined && text.length >= MIN_SECRET_LENGTH && !text.includes(REDACTED)) {
      secrets.add(text);
    }
  }
}

/** Forgets every remembered secret (tests). */
export function forgetSecrets(): void {
  knownSecrets().clear();
  secretsPattern = undefined;
}

/**
 * The remembered values as one pattern, longest first, compiled once per set of values rather than
 * on every call (redact runs on every log line and tooltip). The set only grows between clears,
 * so its size tells whether the pattern is current.
 */
let secretsPattern: { readonly size: number; readonly pattern: RegExp } | undefined;

function knownSecretsPattern(): RegExp | undefined {
  const secrets = knownSecrets();
  if (secrets.size === 0) {
    return undefined;
  }
  if (secretsPattern?.size !== secrets.size) {
    const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
    secretsPattern = {
      size: secrets.size,
      pattern: new RegExp(longestFirst.map(escapeRegExp).join('|'), 'g'),
    };
  }
  return secretsPattern.pattern;
}

function redactValue(value: string): string {
  const escaped = value.startsWith('\\"');
  const quote = escaped ? '\\"' : value[0] === '"' || value[0] === "'" ? value[0] : '';
  let inner = value.slice(quote.length);
  const closed = quote !== '' && inner.endsWith(quote) && inner.length >= quote.length;
  if (closed) {
    inner = inner.slice(0, inner.length - quote.length);
  }
  const scheme = SCHEME.exec(inner)?.[0] ?? '';
  return `${quote}${scheme}${REDACTED}${closed ? quote : ''}`;
}

function redactKeyed(match: string, head: string, separator: string, value: string): string {
  if (value.startsWith(REDACTED) || value.slice(1).startsWith(REDACTED)) {
    return match;
  }
  if (separator === '=' && !/^\\?["']/.test(value)) {
    // `key=value&other=…`, `--token=value more words`: the value ends at a space or `&`.
    const end = value.search(/[\s&]/);
    const rest = end >= 0 ? value.slice(end) : '';
    return `${head}${REDACTED}${rest}`;
  }
  return `${head}${redactValue(value)}`;
}

/** Every string in a JSON-like value (a report, a result), redacted; the shape is kept, other objects are left as they are. */
export function redactStrings<T>(value: T): T {
  if (typeof value === 'string') {
    return redact(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => redactStrings(item)) as T;
  }
  const prototype: unknown =
    value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, redactStrings(item)]),
    ) as T;
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function redact(text: string): string {
  let result = text;
  const secrets = knownSecretsPattern();
  if (secrets !== undefined) {
    result = result.replace(secrets, REDACTED);
  }
  result = result
    .replace(PEM, '<redacted private key>')
    .replace(PEM_BASE64, REDACTED)
    .replace(KEYED, redactKeyed)
    .replace(BEARER, `$1${REDACTED}`)
    .replace(ENV_YAML, (match, head: string, value: string) =>
      value.startsWith(REDACTED) ? match : `${head}${redactValue(value)}`,
    )
    .replace(ENV_JSON, (match, head: string, _quote: string, value: string) =>
      value.includes(REDACTED) ? match : `${head}${redactValue(value)}`,
    )
    .replace(USERINFO, (match, slashes: string, userinfo: string) => {
      if (userinfo === '' || userinfo === REDACTED || userinfo.endsWith(`:${REDACTED}`)) {
        return match;
      }
      const colon = userinfo.indexOf(':');
      return colon >= 0 ? `${slashes}${userinfo.slice(0, colon)}:${REDACTED}@` : `${slashes}${REDACTED}@`;
    });
  return result;
}
