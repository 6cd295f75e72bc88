import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';

export type SharedStoreStatus = 'connected' | 'degraded' | 'disabled';
type Handler = (message: string) => void;

/** What deep health reports of the store: one round trip to the node commands go to. */
export interface StoreProbe {
  mode: 'memory' | 'standalone' | 'sentinel';
  ok: boolean;
  latencyMs?: number;
  /** host:port of the node the command connection is on (in Sentinel mode, the primary). */
  address?: string;
  /** host:port of the node the pub/sub connection is on; the same one when all is well. */
  subscriberAddress?: string;
  /** That node's replication role (`master` when all is well). */
  role?: string;
  error?: string;
}

/**
 * The state instances share: a key/value cache with TTLs and a pub/sub bus.
 * With Redis it spans every instance; without it, it is this process only (one instance).
 * Every call is best-effort: when Redis is away, reads miss and writes are dropped, so callers
 * fall back to the database instead of failing the request.
 */
export interface SharedStore {
  readonly kind: 'redis' | 'memory';
  status(): SharedStoreStatus;
  /** True when a published invalidation is known to reach every instance. */
  invalidationReliable(): boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, handler: Handler): void;
  /** Called after the bus was interrupted, when messages may have been missed. */
  onResync(handler: () => void): void;
  /** The command connection, for libraries that speak Redis themselves (rate limits). */
  readonly redis?: Redis;
  /** PING and ROLE on the command connection, bounded by the command timeout; never throws. */
  probe(): Promise<StoreProbe>;
  close(): Promise<void>;
}

export function createMemoryStore(): SharedStore {
  const values = new Map<string, { value: string; expiresAt: number }>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  return {
    kind: 'memory',
    status: () => 'disabled',
    invalidationReliable: () => true,
    async get(key) {
      const entry = values.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= Date.now()) {
        values.delete(key);
        return null;
      }
      return entry.value;
    },
    async set(key, value, ttlSeconds) {
      values.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
    },
    async del(...keys) {
      for (const key of keys) values.delete(key);
    },
    async publish(channel, message) {
      bus.emit(channel, message);
    },
    subscribe(channel, handler) {
      bus.on(channel, handler);
    },
    onResync() {},
    probe: async () => ({ mode: 'memory', ok: true }),
    async close() {
      bus.removeAllListeners();
      values.clear();
    },
  };
}

export { createRedisStore, type RedisStoreOptions } from './redis-store';
