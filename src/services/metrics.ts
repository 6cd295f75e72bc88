import client from 'prom-client';

/** Anything else is counted as OTHER: a label per made-up method would be unbounded. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Upper bounds in seconds: most answers take well under 5 ms, sign-ins (argon2) ~50 ms. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export interface MetricsSources {
  /** WebSocket subscribers of code-generation jobs on this instance. */
  websocketSubscribers(): number;
  /** 1 while Redis pub/sub delivers invalidations (0 also when running without Redis). */
  sharedCacheConnected(): number;
  version: string;
}

type Child<T extends { labels(...values: string[]): unknown }> = ReturnType<T['labels']>;

/**
 * Prometheus metrics of one instance (Prometheus adds them up over replicas). Per-request
 * recording is on the hot path: the labelled series are looked up once per label combination
 * and kept, so a request costs one map lookup and one observation. Process metrics (CPU,
 * memory, event-loop lag, GC) start with the first scrape, so an instance nobody scrapes,
 * such as each test app, runs no extra timers.
 */
export class Metrics {
  private readonly registry = new client.Registry();
  private readonly requests = new client.Histogram({
    name: 'kubegram_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long they took',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly authentications = new client.Counter({
    name: 'kubegram_authentications_total',
    help: 'Credentials presented, by how they came (cookie, bearer) and whether they were accepted',
    labelNames: ['via', 'kind', 'result'],
    registers: [this.registry],
  });
  private readonly series = new Map<string, Child<typeof this.requests>>();
  private readonly authSeries = new Map<string, Child<typeof this.authentications>>();
  private processMetricsStarted = false;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    new client.Gauge({
      name: 'kubegram_websocket_subscribers',
      help: 'Open code-generation status WebSockets on this instance',
      registers,
      collect() {
        this.set(sources.websocketSubscribers());
      },
    });
    new client.Gauge({
      name: 'kubegram_shared_cache_connected',
      help: '1 while Redis pub/sub delivers cache invalidations; 0 when degraded or without Redis',
      registers,
      collect() {
        this.set(sources.sharedCacheConnected());
      },
    });
    new client.Gauge({
      name: 'kubegram_build_info',
      help: 'Always 1; the labels say which build runs',
      labelNames: ['version'],
      registers,
    }).set({ version: sources.version }, 1);
  }

  observeRequest(rawMethod: string, route: string, status: number, seconds: number) {
    const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : 'OTHER';
    const key = `${method} ${status} ${route}`;
    let child = this.series.get(key);
    if (!child) {
      child = this.requests.labels(method, route, String(status));
      this.series.set(key, child);
    }
    child.observe(seconds);
  }

  /** `kind` is the credential type when accepted, `unknown` when nothing accepted it. */
  countAuthentication(via: string, kind: string, accepted: boolean) {
    const key = `${via} ${kind} ${accepted}`;
    let child = this.authSeries.get(key);
    if (!child) {
      child = this.authentications.labels(via, kind, accepted ? 'accepted' : 'rejected');
      this.authSeries.set(key, child);
    }
    child.inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    if (!this.processMetricsStarted) {
      this.processMetricsStarted = true;
      client.collectDefaultMetrics({ register: this.registry });
    }
    return this.registry.metrics();
  }
}
