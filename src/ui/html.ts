/** Helpers for the HTML of KubeReach's webviews. */

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/**
 * A fresh Content-Security-Policy nonce (128 random bits, base64). Web Crypto's global rather than
 * `node:crypto`, whose first require costs ~10 ms that activation would otherwise pay.
 */
export function cspNonce(): string {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
