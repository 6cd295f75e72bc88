import { Hono } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { DocsPage } from '../../ui/docs';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** GET /docs: the API reference, rendered from the document /openapi.json serves. */
export function docsPageRoute(openApiDocument: () => unknown) {
  return new Hono<AppEnv>().get('/docs', (c) => {
    c.header('Content-Security-Policy', CSP);
    return c.html(<DocsPage doc={openApiDocument() as never} />);
  });
}
