import { describe, expect, test } from 'bun:test';
import { Hono } from 'hono';
import { routeCoverage, servedOperations } from './route-coverage';

/** The coverage check itself, on a small app: it must be able to fail. */
describe('route coverage', () => {
  const app = new Hono()
    .use('*', async (_c, next) => next())
    .get('/iac/export', (c) => c.text('export'))
    .get('/iac/:kind/:name', (c) => c.text('one'))
    // A handler that may pass the request on still counts as a route.
    .delete('/items/:id{[0-9]+}', async (c, next) => (c.req.param('id') ? c.text('gone') : next()));
  const doc = { paths: { '/documented': { get: {}, parameters: [] } } };
  const served = servedOperations(app, doc);

  test('serves routes and documented operations in the OpenAPI spelling, not app.use()', () => {
    expect(served.map((op) => `${op.method} ${op.path}`).sort()).toEqual([
      'DELETE /items/{id}',
      'GET /documented',
      'GET /iac/export',
      'GET /iac/{kind}/{name}',
    ]);
  });

  test('names the unlisted, the stale and the doubly listed', () => {
    const report = routeCoverage(
      served,
      [
        { method: 'GET', path: '/iac/export?companyID=1' },
        { method: 'DELETE', path: '/items/7' },
        { method: 'POST', path: '/iac/export' },
      ],
      [
        { method: 'DELETE', path: '/items/{id}' },
        { method: 'GET', path: '/gone' },
      ],
    );
    expect(report).toEqual({
      unlisted: ['GET /documented', 'GET /iac/{kind}/{name}'],
      stale: ['protected: POST /iac/export', 'public: GET /gone'],
      inBothLists: ['DELETE /items/{id}'],
    });
  });
});
