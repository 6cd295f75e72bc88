/**
 * A value that is ready now or later. The request-authentication path returns plain values when
 * everything it needs is in memory (the common case) and a promise only when it must wait on
 * Redis or the database: each avoided `await` is a microtask saved on every request.
 */
export type MaybePromise<T> = T | Promise<T>;

/** Applies `next` at once to a ready value, or when the promise settles. */
export function andThen<T, U>(value: MaybePromise<T>, next: (v: T) => MaybePromise<U>) {
  return value instanceof Promise ? value.then(next) : next(value);
}
