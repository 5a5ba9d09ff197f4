/**
 * Secrets inside text: a URL's password (`postgres://user:pw@host`) is as secret as a token, and
 * URLs end up in logs, errors and banners, so every such place passes its text through here.
 */

/** `scheme://user:password@` -> `scheme://user:***@`, anywhere in the text. */
export function redactUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi, '$1:***@');
}

/** Also every known secret value (e.g. from the environment), however it got into the text. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = redactUrlPasswords(text);
  // Short values would blank out ordinary words; real credentials are longer.
  for (const s of secrets) if (s.length >= 6) out = out.split(s).join('***');
  return out;
}
