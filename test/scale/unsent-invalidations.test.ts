import { describe, expect, test } from 'bun:test';
import { type Invalidation, UnsentInvalidations } from '../../src/cache/unsent-invalidations';

/** A command connection that is up or down at the test's say, recording what it performed. */
function fakeConnection() {
  const state = { up: false, failNext: false, performed: [] as Invalidation[], errors: 0 };
  let overflows = 0;
  const queue = new UnsentInvalidations({
    ready: () => state.up,
    perform: async (inv) => {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('connection dropped');
      }
      state.performed.push(inv);
    },
    onError: () => state.errors++,
    onOverflow: () => overflows++,
    max: 3,
  });
  return { state, queue, overflows: () => overflows };
}

const publish = (message: string): Invalidation => ({ publish: ['chan', message] });

describe('invalidations sent while Redis is away', () => {
  test('are kept in order and sent once the connection is back', async () => {
    const { state, queue } = fakeConnection();
    await queue.send(publish('1'));
    await queue.send({ del: ['k1'] });
    expect(state.performed).toEqual([]);
    expect(queue.size).toBe(2);
    state.up = true;
    await queue.send(publish('2')); // a new one waits for the older ones
    expect(state.performed).toEqual([publish('1'), { del: ['k1'] }, publish('2')]);
    expect(queue.size).toBe(0);
  });

  test('one that fails stays queued and goes out at the next flush', async () => {
    const { state, queue } = fakeConnection();
    state.up = true;
    state.failNext = true;
    await queue.send(publish('a'));
    expect(state.errors).toBe(1);
    expect(queue.size).toBe(1);
    await queue.flush();
    expect(state.performed).toEqual([publish('a')]);
  });

  test('a long outage keeps the newest ones, and says so', async () => {
    const { state, queue, overflows } = fakeConnection();
    for (const m of ['1', '2', '3', '4', '5']) await queue.send(publish(m));
    expect(overflows()).toBe(2);
    state.up = true;
    await queue.flush();
    expect(state.performed).toEqual([publish('3'), publish('4'), publish('5')]);
  });
});
