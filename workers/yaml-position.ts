/**
 * Where in a YAML file a line sits, as the key path a person edits (`webhook.port`): the parser's
 * error names a line and column only, and a broken file cannot be asked for its keys.
 */
export function keyPathAtLine(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/);
  const path: string[] = [];
  let indent = Infinity;
  // Walk up from the line: each key less indented than the last one found is a parent.
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = /^(\s*)(?:-\s+)?([A-Za-z0-9_.-]+|"[^"]*"|'[^']*')\s*:(\s|$)/.exec(lines[i]);
    if (!m) continue;
    const at = m[1].length;
    if (at < indent) {
      path.unshift(m[2].replace(/^["']|["']$/g, ''));
      indent = at;
      if (at === 0) break;
    }
  }
  return path.length ? path.join('.') : undefined;
}
