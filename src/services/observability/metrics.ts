import client from 'prom-client';

/** Anything else is counted as OTHER: a label per made-up method would be unbounded. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Upper bounds in seconds: most answers take well under 5 ms, sign-ins (argon2) ~50 ms. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Where the gauges read their values from. */
export interface MetricsDeps {
  /** WebSocket subscribers of code-generation jobs on this instance. */
  websocketSubscribers(): number;
  /** 1 while Redis pub/sub delivers invalidations (0 also when running without Redis). */
  sharedCacheConnected(): number;
  version: string;
}

/** A label value in the text format: backslash, double quote and newline escaped. */
const escapeLabel = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

const labelSet = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',');

interface HistogramSeries {
  labels: string;
  /** Per bucket, not cumulative; the last slot is +Inf. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Prometheus metrics of one instance (Prometheus adds them up over replicas).
 *
 * Recording is on every request, so the series here are plain numbers in maps keyed by their
 * label values: one lookup and a few additions. prom-client hashes and validates the labels
 * on every call, which measurably slowed authenticated requests under load (bench: JWT
 * 0.82 → 0.70 × live). prom-client still provides the process metrics (CPU, memory, file
 * descriptors, heap), started at the first scrape so unscraped instances run no extra timers.
 */
export class Metrics {
  private readonly requests = new Map<string, HistogramSeries>();
  private readonly authentications = new Map<string, { labels: string; value: number }>();
  private readonly processRegistry = new client.Registry();
  private processMetricsStarted = false;

  constructor(private readonly deps: MetricsDeps) {}

  observeRequest(rawMethod: string, route: string, status: number, seconds: number) {
    const method = KNOWN_METHODS.has(rawMethod) ? rawMethod : 'OTHER';
    const key = `${method} ${status} ${route}`;
    let series = this.requests.get(key);
    if (!series) {
      series = {
        labels: labelSet({ method, route, status: String(status) }),
        buckets: new Array(DURATION_BUCKETS.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.requests.set(key, series);
    }
    let slot = 0;
    while (slot < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[slot]!) slot++;
    series.buckets[slot]! += 1;
    series.sum += seconds;
    series.count += 1;
  }

  /** `kind` is the credential type when accepted, `unknown` when nothing accepted it. */
  countAuthentication(via: string, kind: string, accepted: boolean) {
    const key = `${via} ${kind} ${accepted}`;
    let series = this.authentications.get(key);
    if (!series) {
      const result = accepted ? 'accepted' : 'rejected';
      series = { labels: labelSet({ via, kind, result }), value: 0 };
      this.authentications.set(key, series);
    }
    series.value += 1;
  }

  get contentType(): string {
    return this.processRegistry.contentType;
  }

  async render(): Promise<string> {
    if (!this.processMetricsStarted) {
      this.processMetricsStarted = true;
      client.collectDefaultMetrics({ register: this.processRegistry });
    }
    return `${this.renderOwn().join('\n')}\n\n${await this.processRegistry.metrics()}`;
  }

  private renderOwn(): string[] {
    const lines: string[] = [];
    const header = (name: string, type: string, help: string) =>
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

    const duration = 'kubegram_http_request_duration_seconds';
    header(
      duration,
      'histogram',
      'HTTP requests by method, route pattern and status, and time taken',
    );
    for (const s of this.requests.values()) {
      let cumulative = 0;
      for (let i = 0; i <= DURATION_BUCKETS.length; i++) {
        cumulative += s.buckets[i]!;
        const le = i < DURATION_BUCKETS.length ? String(DURATION_BUCKETS[i]) : '+Inf';
        lines.push(`${duration}_bucket{${s.labels},le="${le}"} ${cumulative}`);
      }
      lines.push(
        `${duration}_sum{${s.labels}} ${s.sum}`,
        `${duration}_count{${s.labels}} ${s.count}`,
      );
    }

    const auth = 'kubegram_authentications_total';
    header(
      auth,
      'counter',
      'Credentials presented, by how they came and whether they were accepted',
    );
    for (const s of this.authentications.values()) lines.push(`${auth}{${s.labels}} ${s.value}`);

    const gauges: [string, string, string, number][] = [
      [
        'kubegram_websocket_subscribers',
        '',
        'Open code-generation status WebSockets on this instance',
        this.deps.websocketSubscribers(),
      ],
      [
        'kubegram_shared_cache_connected',
        '',
        '1 while Redis pub/sub delivers cache invalidations; 0 when degraded or without Redis',
        this.deps.sharedCacheConnected(),
      ],
      [
        'kubegram_build_info',
        labelSet({ version: this.deps.version }),
        'Always 1; the labels say which build runs',
        1,
      ],
    ];
    for (const [name, labels, help, value] of gauges) {
      header(name, 'gauge', help);
      lines.push(labels ? `${name}{${labels}} ${value}` : `${name} ${value}`);
    }
    return lines;
  }
}
