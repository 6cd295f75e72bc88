import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import type { FieldIssue } from '../lib/errors';
import { errorResponse } from './errors';

/** A required JSON request body, as `createRoute({request: {body}})` takes it. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** @hono/zod-openapi's defaultHook: a failed schema is a 400 VALIDATION_FAILED with paths. */
export function validationHook(
  result: { success: boolean; error?: unknown; target?: string },
  c: Context,
) {
  if (result.success) return;
  const issues = zodIssues(result.error as ZodError);
  return errorResponse(c, 'VALIDATION_FAILED', 'Request validation failed', issues);
}
