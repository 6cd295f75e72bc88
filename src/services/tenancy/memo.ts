import type { Queryable } from './context';

/**
 * A memo for one transaction, for bulk callers (an IaC apply of 1,000 objects resolves the same
 * team and the same membership roles over and over). Only transactions that opt in get one,
 * so REST requests always read fresh rows. Every tenancy write ends with its audit row
 * (audit.ts), which clears the memo: nothing read before a write is served after it.
 */
const memos = new WeakMap<object, Map<string, unknown>>();

export function enableMemo(q: Queryable) {
  memos.set(q, new Map());
}

export function forgetMemo(q: Queryable) {
  memos.get(q)?.clear();
}

/** `work()` once per key in a memo-enabled transaction; found values only (never misses). */
export async function memoized<T>(q: Queryable, key: string, work: () => Promise<T>): Promise<T> {
  const memo = memos.get(q);
  if (!memo) return work();
  if (memo.has(key)) return memo.get(key) as T;
  const value = await work();
  if (value !== undefined) memo.set(key, value);
  return value;
}
