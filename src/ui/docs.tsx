import type { FC } from 'hono/jsx';

interface Operation {
  method: string;
  path: string;
  summary?: string;
  description?: string;
  tags?: string[];
}

interface OpenApiDocument {
  info: { title: string; version: string };
  paths: Record<
    string,
    Record<string, { summary?: string; description?: string; tags?: string[] }>
  >;
}

/** Groups the generated OpenAPI document by tag for the human reference at /docs. */
export function operationsByTag(doc: OpenApiDocument): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      const list = groups.get(tag) ?? [];
      list.push({ method: method.toUpperCase(), path, ...op });
      groups.set(tag, list);
    }
  }
  return groups;
}

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
code{font:13px ui-monospace,monospace}.m{display:inline-block;min-width:4.5rem;font-weight:600}
li{margin:.4rem 0}p.d{margin:.1rem 0 0 4.5rem;color:#555}`;

/** A plain, dependency-free API reference: no CDN, works offline. */
export const DocsPage: FC<{ doc: OpenApiDocument }> = ({ doc }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <title>{`${doc.info.title} API reference`}</title>
      <style>{STYLE}</style>
    </head>
    <body>
      <h1>
        {doc.info.title} <small>{doc.info.version}</small>
      </h1>
      <p>
        Machine-readable specification: <a href="/openapi.json">/openapi.json</a>
      </p>
      {[...operationsByTag(doc)].map(([tag, ops]) => (
        <section>
          <h2>{tag}</h2>
          <ul>
            {ops.map((op) => (
              <li>
                <code class="m">{op.method}</code> <code>{op.path}</code> {op.summary}
                {op.description ? <p class="d">{op.description}</p> : null}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </body>
  </html>
);
