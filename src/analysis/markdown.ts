/**
 * User data in Markdown (hovers, tooltips): either inside a code span (`markdownCode`: names,
 * labels, addresses, file paths) or escaped (`escapeMarkdown`: reasons, messages), never raw, so
 * that an object named `x\n![y](https://…)` shows as that text and not as an image or a link.
 * Shared by the explorer's tooltips and the language server's hovers.
 */

/**
 * Plain text as Markdown that renders as that text: the characters that open inline constructs
 * (`\` `` ` `` `*` `_` `[` `]` `<` `>` `&` `|` `~` `$`, the last for `$(icon)` syntax) get a
 * backslash, as does a character that would open a block at the start (`#`, `+`, `-`, `=`, `1.`);
 * line breaks become spaces so that user data cannot start a block of its own.
 */
export function escapeMarkdown(text: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ');
  const escaped = flat.replace(/[\\`*_[\]<>&|~$]/g, '\\$&');
  return escaped.replace(/^([#+=-])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * A code span holding `text` literally, whatever backticks it contains (CommonMark: a fence longer
 * than any run inside, padded with a space when the text starts or ends with a backtick).
 */
export function markdownCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  if (flat === '') {
    return '';
  }
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' '));
  return pad ? `${fence} ${flat} ${fence}` : `${fence}${flat}${fence}`;
}
