import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config';
import { Metrics } from '../../src/services/observability/metrics';
import { call } from '../helpers/http';
import { createUser, type SeededUser } from '../helpers/seed';
import { createTestApp, type TestApp } from '../helpers/test-app';

/** One sample value of a series, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(t: TestApp, headers: Record<string, string> = {}) {
  const res = await t.request('/metrics', { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /metrics (development: open)', () => {
  let t: TestApp;
  let user: SeededUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
  });
  afterAll(() => t.close());

  test('requests by route pattern and status, never by raw path', async () => {
    const before = await scrape(t);
    const teamSeries =
      'kubegram_http_request_duration_seconds_count{method="GET",route="/api/public/v1/users/:id",status="404"}';
    const start = sample(before.text, teamSeries) ?? 0;
    for (let i = 0; i < 3; i++) {
      await call(t, 'GET', `/api/public/v1/users/${900_000 + i}`, { cookie: user.token });
    }
    await call(t, 'GET', `/no/such/path/${randomBytes(4).toString('hex')}`);

    const after = await scrape(t);
    expect(after.status).toBe(200);
    expect(after.type).toStartWith('text/plain; version=0.0.4');
    expect(sample(after.text, teamSeries)).toBe(start + 3);
    expect(after.text).not.toContain('/users/9');
    expect(after.text).not.toContain('/no/such/path');
    expect(after.text).toContain('route="unmatched",status="404"');
    // The scrape itself is counted under its own route.
    expect(after.text).toContain('method="GET",route="/metrics",status="200"');
  });

  test('a request refused by a middleware still counts under its endpoint', async () => {
    const series =
      'kubegram_http_request_duration_seconds_count{method="GET",route="/api/public/v1/auth/sessions",status="401"}';
    const start = sample((await scrape(t)).text, series) ?? 0;
    await call(t, 'GET', '/api/public/v1/auth/sessions');
    expect(sample((await scrape(t)).text, series)).toBe(start + 1);
  });

  test('histogram buckets are cumulative, le ascending, +Inf equals the count', async () => {
    const metrics = new Metrics({
      websocketSubscribers: () => 3,
      sharedCacheConnected: () => 1,
      version: '1.2.3',
    });
    for (const seconds of [0.0005, 0.001, 0.003, 0.2, 20]) {
      metrics.observeRequest('GET', '/r/:id', 200, seconds);
    }
    const text = await metrics.render();
    const series = (le: string) =>
      sample(
        text,
        `kubegram_http_request_duration_seconds_bucket{method="GET",route="/r/:id",status="200",le="${le}"}`,
      );
    expect([
      series('0.001'),
      series('0.005'),
      series('0.25'),
      series('10'),
      series('+Inf'),
    ]).toEqual([2, 3, 4, 4, 5]);
    const labels = 'method="GET",route="/r/:id",status="200"';
    expect(sample(text, `kubegram_http_request_duration_seconds_count{${labels}}`)).toBe(5);
    expect(sample(text, `kubegram_http_request_duration_seconds_sum{${labels}}`)).toBeCloseTo(
      20.2045,
    );
    expect(sample(text, 'kubegram_websocket_subscribers')).toBe(3);
    expect(text).toContain('# TYPE kubegram_http_request_duration_seconds histogram');
    expect(text).toContain('# TYPE kubegram_authentications_total counter');
  });

  test('label values are escaped', async () => {
    const metrics = new Metrics({
      websocketSubscribers: () => 0,
      sharedCacheConnected: () => 0,
      version: 'a"b\\c\nd',
    });
    expect(await metrics.render()).toContain('kubegram_build_info{version="a\\"b\\\\c\\nd"} 1');
  });

  test('made-up methods share one label', async () => {
    const metrics = new Metrics({
      websocketSubscribers: () => 0,
      sharedCacheConnected: () => 0,
      version: '0.0.0',
    });
    metrics.observeRequest('BREW', 'unmatched', 405, 0.001);
    metrics.observeRequest('PROPFIND', 'unmatched', 405, 0.001);
    const text = await metrics.render();
    expect(
      sample(
        text,
        'kubegram_http_request_duration_seconds_count{method="OTHER",route="unmatched",status="405"}',
      ),
    ).toBe(2);
    expect(text).not.toContain('BREW');
  });

  test('credentials presented, accepted or not, by kind', async () => {
    const series = 'kubegram_authentications_total{via="bearer",kind="unknown",result="rejected"}';
    const start = sample((await scrape(t)).text, series) ?? 0;
    await call(t, 'GET', '/api/public/v1/auth/me', { bearer: 'kgm_not-a-real-token' });
    await call(t, 'GET', '/api/public/v1/auth/me', { bearer: user.token });
    const text = (await scrape(t)).text;
    expect(sample(text, series)).toBe(start + 1);
    expect(
      sample(text, 'kubegram_authentications_total{via="bearer",kind="session",result="accepted"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(user.token);
  });

  test('instance gauges and process metrics', async () => {
    const text = (await scrape(t)).text;
    expect(sample(text, 'kubegram_websocket_subscribers')).toBe(0);
    expect(sample(text, 'kubegram_shared_cache_connected')).toBeOneOf([0, 1]);
    expect(text).toMatch(/^kubegram_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('GET /metrics behind METRICS_TOKEN', () => {
  const token = randomBytes(24).toString('base64url');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN: token } });
  });
  afterAll(() => t.close());

  test('no token or a wrong one: 401 with the error envelope; the right one: 200', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${token}x` },
      { authorization: token },
    ];
    for (const headers of wrong) {
      const res = await scrape(t, headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).code).toBe('UNAUTHENTICATED');
      expect(res.text).not.toContain(token);
    }
    const ok = await scrape(t, { authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('kubegram_http_request_duration_seconds');
  });
});

describe('in production', () => {
  const production = {
    NODE_ENV: 'production',
    APP_URL: 'https://kubegram.example.com',
    CORS_ORIGIN: 'https://kubegram.example.com',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    GLOBAL_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
  };

  test('without METRICS_TOKEN the endpoint does not exist', async () => {
    const t = await createTestApp({ env: production });
    try {
      expect((await scrape(t)).status).toBe(404);
    } finally {
      await t.close();
    }
  });

  test('a short or placeholder METRICS_TOKEN stops start-up', () => {
    for (const weak of ['short', 'changeme-changeme-changeme-changeme']) {
      expect(() => loadConfig({ ...production, METRICS_TOKEN: weak })).toThrow(ConfigError);
    }
  });
});
