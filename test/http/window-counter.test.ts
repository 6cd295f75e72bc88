import { describe, expect, test } from 'bun:test';
import { manualClock } from '../../src/lib/clock';
import { WindowCounter } from '../../src/services/limits/window-counter';

describe('in-process request window', () => {
  test('counts per key, refuses past the limit, reopens after the window', () => {
    const clock = manualClock(60_000 * 1000); // at the start of a window
    const counter = new WindowCounter({ limit: 3, windowMs: 60_000, clock });
    try {
      const states = [1, 2, 3, 4, 5].map(() => counter.hit('u:1'));
      expect(states.map((s) => [s.allowed, s.remaining, s.firstRejection])).toEqual([
        [true, 2, false],
        [true, 1, false],
        [true, 0, false],
        [false, 0, true],
        [false, 0, false],
      ]);
      expect(states[3]!.resetSeconds).toBe(60);
      expect(counter.hit('u:2').allowed).toBe(true); // keys are independent
      clock.advance(30_000);
      expect(counter.hit('u:1').resetSeconds).toBe(30);
      clock.advance(30_000);
      expect(counter.hit('u:1')).toMatchObject({ allowed: true, remaining: 2 });
    } finally {
      counter.stop();
    }
  });
});
