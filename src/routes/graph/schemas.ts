import { z } from '@hono/zod-openapi';
import type { CodegenJobRow } from '../../db/schema';
import { serialId } from '../../lib/serial-id';
import { graphSchema } from '../../services/codegen/graph';
import { JOB_STATUSES } from '../../services/codegen/job-status';

/** Request and response shapes of /api/public/v1/graph. */

export function submitBody(maxNodes: number) {
  return z
    .object({
      input: z.object({
        modelProvider: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'Must be a provider name')
          .openapi({ example: 'claude', description: '`builtin` forces the built-in generator' }),
        modelName: z.string().min(1).max(128).openapi({ example: 'claude-3-5-sonnet-20241022' }),
        graph: graphSchema(maxNodes),
      }),
      context: z.array(z.string().max(4000)).max(50).default([]),
      companyId: z.uuid(),
      project: z
        .object({
          id: serialId.optional(),
          name: z.string().trim().min(1).max(200).optional(),
          teamId: serialId.optional(),
        })
        .refine((p) => p.id !== undefined || p.name !== undefined, {
          message: 'Give the project id, or a name to create it',
        }),
    })
    .openapi('CodegenRequest');
}

export const jobIdParam = z.object({
  jobId: z.uuid().openapi({ param: { name: 'jobId', in: 'path' } }),
});

export const jobView = z
  .object({
    jobId: z.string(),
    kind: z.enum(['codegen', 'plan']),
    engine: z.enum(['builtin', 'kuberag']),
    status: z.enum(JOB_STATUSES),
    progress: z.number(),
    step: z.string().nullable(),
    error: z.string().nullable(),
    companyId: z.string(),
    projectId: z.string(),
    userId: z.string(),
    modelProvider: z.string(),
    modelName: z.string(),
    tokensReserved: z.number(),
    tokensUsed: z.number().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('CodegenJob');

export function toJobView(row: CodegenJobRow): z.infer<typeof jobView> {
  return {
    jobId: row.id,
    kind: row.kind,
    engine: row.engine,
    status: row.status,
    progress: row.progress,
    step: row.step,
    error: row.error,
    companyId: row.companyId,
    projectId: String(row.projectId),
    userId: String(row.userId),
    modelProvider: row.modelProvider,
    modelName: row.modelName,
    tokensReserved: row.tokensReserved,
    tokensUsed: row.tokensUsed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
