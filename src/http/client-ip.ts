import type { Context } from 'hono';

interface BunServerLike {
  requestIP(request: Request): { address: string } | null;
}

/**
 * The client's address. The socket's peer unless TRUST_PROXY says how many proxies stand in
 * front of us; then the address the outermost trusted proxy saw, counted from the right of
 * X-Forwarded-For, so a client-written X-Forwarded-For entry can never be picked.
 */
export function clientIp(c: Context, trustProxy: number): string {
  const server = (c.env as { server?: BunServerLike } | undefined)?.server;
  const socketIp = server?.requestIP?.(c.req.raw)?.address ?? 'unknown';
  if (trustProxy <= 0) return socketIp;
  const forwarded = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return forwarded[forwarded.length - trustProxy] ?? socketIp;
}
