export interface WaitOptions {
  /** Fail after this long (default 5 s). */
  timeoutMs?: number;
  /** Pause between two probes (default 10 ms). */
  intervalMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

type Falsy = undefined | null | false | 0 | '';

/**
 * Calls `probe` until its answer is what is wanted (`until`, or else any truthy answer) and
 * returns that answer. After `timeoutMs` it throws, naming `what` and the last answer, so a wait
 * that never ends fails the test rather than hanging or passing silently.
 *
 * For things that happen on their own time (another instance, a child process, a socket). To
 * make time pass, move a manual clock (`src/lib/clock.ts`) instead of waiting.
 */
export function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions & { until: (answer: T) => boolean },
): Promise<T>;
export function waitFor<T>(
  probe: () => T | Falsy | Promise<T | Falsy>,
  options?: WaitOptions,
): Promise<T>;
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions & { until?: (answer: T) => boolean } = {},
): Promise<T> {
  const { timeoutMs = 5000, intervalMs = 10, what = 'a condition', until = Boolean } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (until(answer)) return answer;
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last answer: ${shown(answer)})`,
      );
    }
    await Bun.sleep(intervalMs);
  }
}

function shown(answer: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(answer) ?? String(answer);
  } catch {
    text = String(answer);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * Waits until a server process started by a test answers its liveness probe. A fresh PGlite data
 * directory takes seconds to initialise, and over 20 s on a busy machine.
 */
export function waitForLive(url: string): Promise<true> {
  return waitFor(
    () =>
      fetch(`${url}/api/public/v1/healthz/live`).then(
        (r) => r.ok || undefined,
        () => undefined,
      ),
    { timeoutMs: 45_000, intervalMs: 50, what: `the server on ${url} to answer` },
  );
}
