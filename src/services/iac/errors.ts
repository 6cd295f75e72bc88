import { AppError, type FieldIssue } from '../../lib/errors';

/** An error raised while resolving a manifest field carries the field's path. */
export type FieldTagged = AppError & { field?: string };

/** Runs `work`, tagging any error with the manifest field it came from. */
export async function atField<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && !(err as FieldTagged).field) (err as FieldTagged).field = field;
    throw err;
  }
}

/**
 * Re-labels an error raised while applying one document so that it names the document and the
 * field: `documents[2].spec.companyID`. Status and code are kept, so a permission error stays
 * a 403/404 and a bad graph stays a 400. Errors with field details (graph validation) are
 * placed under `spec`; others under the tagged field, or `metadata.name`.
 */
export function inDocument(err: unknown, index: number, label: string): unknown {
  if (!(err instanceof AppError)) return err;
  const base = `documents[${index}]`;
  const field = (err as FieldTagged).field;
  const issues: FieldIssue[] = Array.isArray(err.details)
    ? (err.details as FieldIssue[]).map((d) => ({
        path: `${base}.${field ?? `spec.${d.path}`}`,
        message: d.message,
      }))
    : [{ path: `${base}.${field ?? 'metadata.name'}`, message: err.message }];
  return new AppError(
    err.code,
    `${base} (${label}): ${err.message}`,
    issues,
    err.status,
    err.headers,
  );
}
