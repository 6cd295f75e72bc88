import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { parse } from 'yaml';
import { call } from '../helpers/http';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { readRepoFile } from './dockerfile';

/**
 * deploy/prometheus/alerts.yaml: valid YAML in Prometheus' rule-file shape, and every series
 * its expressions use is one a running server exports (scraped from a test app's /metrics), so
 * an alert cannot silently watch a name that does not exist.
 */

/** Series Prometheus makes itself for every scrape target. */
const PROMETHEUS_SERIES = new Set(['up']);
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/** Metric names in a PromQL expression: identifiers that are not functions, keywords or labels. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range durations
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // label lists
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const next = stripped.slice(match.index! + name.length).trimStart()[0];
    if (next === '(' || PROMQL_WORDS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

/** Names of every series in a Prometheus text exposition (histograms with their suffixes). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      names.add(type[1]!);
      if (type[2] === 'histogram' || type[2] === 'summary') {
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${type[1]}${suffix}`);
      }
    } else if (line && !line.startsWith('#')) names.add(/^[^{\s]+/.exec(line)![0]);
  }
  return names;
}

const rules: any[] = parse(readRepoFile('deploy/prometheus/alerts.yaml')).groups.flatMap(
  (group: any) => group.rules,
);

let t: TestApp;
let exported: Set<string>;
beforeAll(async () => {
  t = await createTestApp();
  await call(t, 'GET', '/api/public/v1/healthz/live');
  exported = exportedNames(await (await t.request('/metrics')).text());
});
afterAll(() => t.close());

describe('deploy/prometheus/alerts.yaml', () => {
  test('every rule is an alert with an expression, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      // A copy: toMatchObject with asymmetric matchers writes them into the received object
      // under Bun 1.4.5, which would break the next test.
      expect(structuredClone(rule)).toMatchObject({
        alert: expect.stringMatching(/^Kubegram[A-Za-z]+$/),
        expr: expect.any(String),
        labels: { severity: expect.stringMatching(/^(critical|warning)$/) },
        annotations: { summary: expect.any(String) },
      });
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  test('every series an alert uses is exported by the server', () => {
    expect(exported.has('kubegram_http_request_duration_seconds_bucket')).toBe(true);
    const unknown = rules.flatMap((rule) =>
      metricNames(rule.expr)
        .filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name))
        .map((name) => `${rule.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  test('the name extraction sees through PromQL', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le) (rate(a_bucket{route!~".*x(y)"}[5m]))) > 1 and on (instance) b_total unless up',
      ).sort(),
    ).toEqual(['a_bucket', 'b_total', 'up']);
  });
});
