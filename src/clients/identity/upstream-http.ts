/**
 * Outbound HTTP to identity providers. Every request has a deadline that also covers reading
 * the body (slow-loris defence), bodies are capped (a hostile discovery or JWKS document
 * cannot exhaust memory), and redirects are never followed.
 */

export interface UpstreamLimits {
  timeoutMs: number;
  maxBytes: number;
}

export class UpstreamTimeoutError extends Error {
  constructor(url: string) {
    super(`Identity provider did not answer in time (${new URL(url).host})`);
  }
}

export class UpstreamTooLargeError extends Error {
  constructor(url: string) {
    super(`Identity provider response too large (${new URL(url).host})`);
  }
}

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.test(url.hostname);
}

/** https, or http to a loopback address (local test providers). Anything else is refused. */
export function isAcceptableUpstreamUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password || url.hash) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && isLoopbackUrl(url);
}

async function readCapped(res: Response, limit: number, url: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await res.body?.cancel().catch(() => {});
    throw new UpstreamTooLargeError(url);
  }
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new UpstreamTooLargeError(url);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export type LimitedFetch = (url: string, init?: RequestInit) => Promise<Response>;

/** A fetch with a deadline over the whole exchange and a cap on the body size. */
export function limitedFetch(limits: UpstreamLimits): LimitedFetch {
  return async (url, init = {}) => {
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      const res = await fetch(url, { ...init, signal, redirect: 'manual' });
      const body = await readCapped(res, limits.maxBytes, url);
      const headers = new Headers(res.headers);
      headers.delete('content-encoding');
      headers.delete('content-length');
      const empty = res.status === 204 || res.status === 304;
      return new Response(empty ? null : (body as Uint8Array<ArrayBuffer>), {
        status: res.status,
        statusText: res.statusText,
        headers,
      });
    } catch (err) {
      if (deadline.aborted) throw new UpstreamTimeoutError(url);
      throw err;
    }
  };
}
