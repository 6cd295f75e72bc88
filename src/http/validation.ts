import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ZodError } from 'zod';
import type { FieldIssue } from '../lib/errors';
import { findUnstorable, jsonTextMayBeUnstorable } from '../lib/storable';
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

/**
 * @hono/zod-openapi's defaultHook, which every validated path, query and JSON body passes: a
 * failed schema is a 400 VALIDATION_FAILED with paths, and so is a value PostgreSQL cannot store
 * (U+0000, a lone surrogate), named by its field. Checking here, once, means no route, service
 * or database error has to.
 */
export async function validationHook(
  result: { success: boolean; data?: unknown; error?: unknown; target?: string },
  c: Context,
) {
  const issues = result.success
    ? await unstorableInput(c, result.target, result.data)
    : zodIssues(result.error as ZodError);
  if (issues.length === 0) return;
  return errorResponse(c, 'VALIDATION_FAILED', 'Request validation failed', issues);
}

async function unstorableInput(c: Context, target: string | undefined, data: unknown) {
  // The validator parsed the body from Hono's cached text: one scan of that text, and a walk of
  // the parsed value only when it holds a suspect escape. Paths and queries are small: walked.
  if (target === 'json' && !jsonTextMayBeUnstorable(await c.req.text())) return [];
  const found = findUnstorable(data);
  return found ? [{ path: found.path || '(root)', message: found.message }] : [];
}
