/** Helpers for the HTML of KubeReach's webviews. */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Whether a value read from an API object is a port number: an integer from 1 to 65535. */
export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * A port for HTML: the number, or, for anything else an API object may hold (a string, markup, a
 * number out of range), the value escaped and flagged as not a port.
 */
export function portHtml(value: unknown): string {
  if (isPortNumber(value)) {
    return String(value);
  }
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `<span class="invalid-port" title="not a port number (1 to 65535)">${escapeHtml(text)}</span>`;
}

/**
 * A fresh Content-Security-Policy nonce (128 random bits, base64). Web Crypto's global rather than
 * `node:crypto`, whose first require costs ~10 ms that activation would otherwise pay.
 */
export function cspNonce(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
