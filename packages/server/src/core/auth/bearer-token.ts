/**
 * The credential of an `Authorization: Bearer <credential>` header, or undefined when there
 * is none or another scheme. One rule for every place the hub reads the header (the HTTP API
 * key, the WebSocket upgrade's token): the scheme in any case (`Bearer`, `bearer`), then one
 * or more spaces or tabs, then the credential (no whitespace inside), then optional spaces or
 * tabs.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}
