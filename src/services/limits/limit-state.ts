/** Where a key stands against a limit, as the RateLimit-* headers and 429s report it. */
export interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  allowed: boolean;
  /** True for the first request refused in a window: the moment a lockout starts. */
  firstRejection: boolean;
}
