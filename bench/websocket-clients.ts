/**
 * Worker for bench/websocket.ts: holds a share of the subscriber sockets so that receiving
 * 10 000 frames is spread over threads instead of queueing behind one event loop. Arrival
 * times are wall-clock (timeOrigin + now), comparable across threads.
 */
const worker = globalThis as unknown as Worker;

interface Start {
  type: 'start';
  url: string;
  headers: Record<string, string>;
  count: number;
  batch: number;
}

const sockets: WebSocket[] = [];
/** progress → arrival wall-clock times. */
const arrivals = new Map<number, number[]>();
const closeCodes: number[] = [];
const wallNow = () => performance.timeOrigin + performance.now();

async function start({ url, headers, count, batch }: Start) {
  for (let i = 0; i < count; i += batch) {
    const opened = Array.from({ length: Math.min(batch, count - i) }, () => {
      const ws = new WebSocket(url, { headers } as never);
      sockets.push(ws);
      return new Promise<void>((resolve, reject) => {
        ws.addEventListener('message', (e) => {
          const frame = JSON.parse(String(e.data));
          let list = arrivals.get(frame.progress);
          if (!list) {
            list = [];
            arrivals.set(frame.progress, list);
          }
          list.push(wallNow());
          resolve();
        });
        ws.addEventListener('close', (e) => {
          closeCodes.push(e.code);
          reject(new Error(`closed ${e.code} before the first frame`));
        });
      });
    });
    await Promise.all(opened);
  }
  worker.postMessage({ type: 'ready' });
}

worker.onmessage = (event: MessageEvent) => {
  const message = event.data;
  if (message.type === 'start') {
    start(message).catch((err) => worker.postMessage({ type: 'error', error: String(err) }));
  } else if (message.type === 'report') {
    worker.postMessage({
      type: 'report',
      arrivals: arrivals.get(message.progress) ?? [],
      closed: closeCodes.filter((c) => c === 1000).length,
    });
  }
};
