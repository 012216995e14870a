// HTML escaping for every string that comes from input (device names, driver names, file paths and
// log text are user data) and for JSON embedded in <script> elements.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<` is written as `\u003c` so no
 * `</script>` or `<!--` in the data can end the element; JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Source text of a script inlined into a `<script>` element: no `</script` may appear in it. */
export function scriptForInline(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}
