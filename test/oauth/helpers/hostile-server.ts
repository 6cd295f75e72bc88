import { freePort } from '../../helpers/private-redis';

export interface HostileServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A loopback server that misbehaves like a broken or malicious identity provider:
 * /hang/* never answers, /huge/* sends a 5 MB document, /slow/* sends headers and then one
 * byte every 200 ms forever (slow loris).
 */
export async function startHostileServer(): Promise<HostileServer> {
  const port = await freePort();
  const timers = new Set<ReturnType<typeof setInterval>>();
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path.startsWith('/hang/')) return new Promise<Response>(() => {});
      if (path.startsWith('/huge/')) {
        return Response.json({ issuer: 'x', padding: 'x'.repeat(5 * 1024 * 1024) });
      }
      if (path.startsWith('/slow/')) {
        const stream = new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"issuer":'));
            const timer = setInterval(() => {
              try {
                controller.enqueue(new TextEncoder().encode(' '));
              } catch {
                clearInterval(timer);
              }
            }, 200);
            timers.add(timer);
          },
        });
        return new Response(stream, { headers: { 'content-type': 'application/json' } });
      }
      return new Response('not found', { status: 404 });
    },
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      server.stop(true);
    },
  };
}
