import { parseAllDocuments } from 'yaml';
import { type FieldIssue, ValidationError } from '../../lib/errors';
import { findUnstorable } from '../../lib/storable';
import { KINDS, type Kind, type Manifest, SCHEMAS } from './manifest';

/** Limits that keep a hostile file cheap to refuse. */
export const IAC_LIMITS = {
  documents: 2_000,
  /** Aliases expanded per document: enough for real anchors, far too few for a billion laughs. */
  aliases: 20,
  /** Nesting depth of any document, counted on the parsed value. */
  depth: 64,
};

const invalid = (message: string, issues: FieldIssue[]) => new ValidationError(message, issues);

/**
 * Turns a request body (JSON: one manifest or an array or a `{items: [...]}` list; YAML: one or
 * more `---`-separated documents) into validated manifests. Every error names the document
 * index and the field path: `documents[3].spec.companyID`.
 */
export function parseManifests(text: string, contentType: string): Manifest[] {
  const raw = /yaml/i.test(contentType) ? parseYaml(text) : parseJson(text);
  if (raw.length === 0)
    throw invalid('No documents to apply', [{ path: 'documents', message: 'Empty' }]);
  if (raw.length > IAC_LIMITS.documents) {
    throw invalid('Too many documents', [
      { path: 'documents', message: `At most ${IAC_LIMITS.documents} documents per request` },
    ]);
  }
  return raw.map((doc, index) => validateDocument(doc, index));
}

function parseJson(text: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('Request body is not valid JSON', [
      { path: 'documents', message: 'Invalid JSON' },
    ]);
  }
  if (Array.isArray(value)) return value;
  if (isObject(value) && Array.isArray(value.items) && value.kind === 'List') return value.items;
  return [value];
}

function parseYaml(text: string): unknown[] {
  const docs = parseAllDocuments(text, {
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  if (!Array.isArray(docs)) return []; // an empty stream
  if (docs.length > IAC_LIMITS.documents) {
    throw invalid('Too many documents', [
      { path: 'documents', message: `At most ${IAC_LIMITS.documents} documents per request` },
    ]);
  }
  const out: unknown[] = [];
  docs.forEach((doc, index) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw invalid(`Document ${index} is not valid YAML`, [
        { path: `documents[${index}]`, message: `${error.code}${line ? ` at line ${line}` : ''}` },
      ]);
    }
    if (doc.contents === null) return; // `---` with nothing after it
    try {
      out.push(doc.toJS({ maxAliasCount: IAC_LIMITS.aliases }));
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0]! : 'Invalid document';
      throw invalid(`Document ${index} could not be read`, [
        { path: `documents[${index}]`, message: message.slice(0, 200) },
      ]);
    }
  });
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || typeof value !== 'object' || value === null) return depth;
  let max = depth;
  for (const child of Object.values(value)) {
    max = Math.max(max, depthOf(child, limit, depth + 1));
    if (max > limit) break;
  }
  return max;
}

function validateDocument(doc: unknown, index: number): Manifest {
  const at = (path: string) => `documents[${index}]${path ? `.${path}` : ''}`;
  if (!isObject(doc))
    throw invalid(`Document ${index} is not an object`, [
      { path: at(''), message: 'Expected a manifest object' },
    ]);
  if (depthOf(doc, IAC_LIMITS.depth) > IAC_LIMITS.depth) {
    throw invalid(`Document ${index} is nested too deeply`, [
      { path: at(''), message: `More than ${IAC_LIMITS.depth} levels` },
    ]);
  }
  const unstorable = findUnstorable(doc);
  if (unstorable) {
    throw invalid(`Document ${index} contains text that cannot be stored`, [
      { path: at(unstorable.path), message: unstorable.message },
    ]);
  }
  const kind = doc.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind as Kind)) {
    throw invalid(`Document ${index} has an unknown kind`, [
      { path: at('kind'), message: `Must be one of: ${KINDS.join(', ')}` },
    ]);
  }
  const parsed = SCHEMAS[kind as Kind].safeParse(doc);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: at(i.path.map(String).join('.')),
      message: i.message,
    }));
    throw invalid(`Document ${index} (${kind}) is invalid`, issues);
  }
  return parsed.data;
}
