import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { serialId } from '../lib/serial-id';

/** `{"data", "timestamp"}`: the envelope of every non-exceptional success (API.md). */
export function ok<T, S extends ContentfulStatusCode = 200>(c: Context, data: T, status?: S) {
  return c.json({ data, timestamp: new Date().toISOString() }, (status ?? 200) as S);
}

export interface Page {
  page: number;
  limit: number;
}

export function okPage<T>(c: Context, data: T[], page: Page, total: number) {
  return c.json(
    {
      data,
      pagination: {
        page: page.page,
        limit: page.limit,
        total,
        totalPages: Math.ceil(total / page.limit),
      },
      timestamp: new Date().toISOString(),
    },
    200,
  );
}

/** `?page=&limit=`: out-of-range values are a 400, never clamped silently. */
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1).openapi({ example: 1 }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
};

export const envelope = <T extends z.ZodType>(data: T) => z.object({ data, timestamp: z.string() });

export const pagedEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    pagination: z.object({
      page: z.number(),
      limit: z.number(),
      total: z.number(),
      totalPages: z.number(),
    }),
    timestamp: z.string(),
  });

export const messageBody = z.object({ message: z.string() });

/** `/{id}` of a resource with an integer id: a string in the path, a number once parsed. */
export const idParam = z.object({ id: serialId.openapi({ example: '1' }) });
