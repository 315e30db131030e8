/**
 * Building tenant connection strings from what Neon returns, without extra API calls. Never log
 * the results: they carry passwords.
 */

/** Neon's pooled host is the endpoint host with `-pooler` after the endpoint id. */
export function poolerHostOf(host: string): string {
  const m = /^(ep-[a-z0-9-]+?)(\..+)$/.exec(host);
  return m && !m[1]!.endsWith("-pooler") ? `${m[1]}-pooler${m[2]}` : host;
}

/** Neon requires TLS: every stored string says sslmode=require. */
export function withSslRequire(uri: string): string {
  const url = new URL(uri);
  url.searchParams.set("sslmode", "require");
  // postgres.js does not understand channel_binding; TLS is what we require.
  url.searchParams.delete("channel_binding");
  return url.toString();
}

export function buildUri(p: { role: string; password: string; host: string; database: string }): string {
  return withSslRequire(`postgresql://${encodeURIComponent(p.role)}:${encodeURIComponent(p.password)}@${p.host}/${encodeURIComponent(p.database)}`);
}

/** The same credentials through the pooler. */
export function pooledUri(directUri: string, poolerHost?: string): string {
  const url = new URL(directUri);
  url.host = poolerHost ?? poolerHostOf(url.host);
  return url.toString();
}
