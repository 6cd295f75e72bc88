/**
 * npm run bench:iac — one manifest file of N objects (default 1,000: a company, an
 * organization, 10 teams and the rest projects with small graphs) applied over HTTP to a
 * production-mode server, then applied again (everything `unchanged`), then exported and
 * re-applied. Env: BENCH_OBJECTS, BENCH_ROUNDS (default 3), BENCH_DATABASE_URL / BENCH_REDIS_URL.
 */
import { seedSession, startBenchServer } from './server';

const objects = Number(process.env.BENCH_OBJECTS ?? 1000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

function manifests(company: string): string {
  const teams = 10;
  const docs = [
    `apiVersion: kubegram.io/v1\nkind: Company\nmetadata: {name: ${company}}`,
    `apiVersion: kubegram.io/v1\nkind: Organization\nmetadata: {name: eng}\nspec: {company: ${company}}`,
    ...Array.from(
      { length: teams },
      (_, i) =>
        `apiVersion: kubegram.io/v1\nkind: Team\nmetadata: {name: team-${i}}\nspec: {company: ${company}, organization: eng}`,
    ),
    ...Array.from(
      { length: objects - teams - 2 },
      (_, i) =>
        `apiVersion: kubegram.io/v1\nkind: Project\nmetadata: {name: p-${i}}\nspec: {company: ${company}, organization: eng, team: team-${i % teams}, graph: {nodes: [{id: web}, {id: db}], edges: [{source: web, target: db}]}}`,
    ),
  ];
  return docs.join('\n---\n');
}

const server = await startBenchServer({ BODY_LIMIT_BYTES: String(8 * 1024 * 1024) });
try {
  const token = await seedSession(server.url);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' };
  const apply = async (body: string) => {
    const started = performance.now();
    const res = await fetch(`${server.url}/api/public/v1/iac/apply`, {
      method: 'POST',
      headers,
      body,
    });
    const json = (await res.json()) as { data?: { results: { action: string; id: string }[] } };
    if (res.status !== 200)
      throw new Error(`apply answered ${res.status}: ${JSON.stringify(json)}`);
    const actions = new Set(json.data!.results.map((r) => r.action));
    return {
      ms: performance.now() - started,
      actions: [...actions].join(','),
      results: json.data!.results,
    };
  };
  console.log(`IaC apply of ${objects} objects, ${rounds} rounds (${server.database})`);
  console.log('round | create ms | re-apply ms | export ms | export re-apply ms');
  for (let round = 1; round <= rounds; round++) {
    const yaml = manifests(`Bench-${round}-${Date.now()}`);
    const created = await apply(yaml);
    const again = await apply(yaml);
    const started = performance.now();
    const exported = await fetch(
      `${server.url}/api/public/v1/iac/export?companyID=${created.results[0]!.id}`,
      { headers: { authorization: `Bearer ${token}` } },
    ).then((r) => r.text());
    const exportMs = performance.now() - started;
    const reapplied = await apply(exported);
    if (again.actions !== 'unchanged' || reapplied.actions !== 'unchanged') {
      throw new Error(`expected unchanged, got ${again.actions} / ${reapplied.actions}`);
    }
    console.log(
      `${round} | ${created.ms.toFixed(0)} | ${again.ms.toFixed(0)} | ${exportMs.toFixed(0)} | ${reapplied.ms.toFixed(0)}`,
    );
  }
} finally {
  await server.stop();
}
