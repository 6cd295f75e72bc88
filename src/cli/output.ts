import { stringify } from 'yaml';
import { ClientError, EXIT } from '../client/errors';
import { type Context, OUTPUT_FORMATS, type OutputFormat } from './spec';

export type { OutputFormat };

type Row = Record<string, unknown>;

/** Columns of a resource: the default table, and what `-o wide` adds. */
export interface Columns {
  table: readonly string[];
  wide?: readonly string[];
}

export function outputFormat(value: string | undefined): OutputFormat {
  const format = (value ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new ClientError(
      `Unknown output format "${value}" (${OUTPUT_FORMATS.join(', ')})`,
      EXIT.usage,
    );
  }
  return format;
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** `createdAt` → `CREATED AT`, `userId` → `USER ID`, as kubectl's headers look. */
const header = (column: string) => column.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();

/** Plain aligned columns, like kubectl's default output. */
export function table(rows: Row[], columns: readonly string[]): string {
  if (rows.length === 0) return 'No resources found.';
  const data = rows.map((r) => columns.map((c) => cell(r[c])));
  const heads = columns.map(header);
  const widths = heads.map((h, i) => Math.max(h.length, ...data.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('   ')
      .trimEnd();
  return [line(heads), ...data.map(line)].join('\n');
}

export function render(rows: Row[], columns: Columns, format: OutputFormat) {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'yaml') return stringify(rows).trimEnd();
  return table(
    rows,
    format === 'wide' ? [...columns.table, ...(columns.wide ?? [])] : columns.table,
  );
}

/** A list in the format of `-o` (a table by default). */
export function printList(ctx: Context, rows: Row[], columns: Columns) {
  ctx.io.out(render(rows, columns, outputFormat(ctx.flags.get('output'))));
}

/** One object: a one-row table, or the whole object as JSON / YAML. */
export function printOne(ctx: Context, row: Row, columns: Columns) {
  const format = outputFormat(ctx.flags.get('output'));
  if (format === 'json') ctx.io.out(JSON.stringify(row, null, 2));
  else if (format === 'yaml') ctx.io.out(stringify(row).trimEnd());
  else ctx.io.out(render([row], columns, format));
}

/** `kubectl describe`: every field as `Label:  value`, nested values indented below. */
export function describe(row: Row): string {
  const labels = Object.keys(row).map(
    (k) =>
      `${header(k)
        .toLowerCase()
        .replace(/^./, (c) => c.toUpperCase())}:`,
  );
  const width = Math.max(...labels.map((l) => l.length));
  return Object.entries(row)
    .map(([, value], i) => {
      const label = labels[i]!.padEnd(width);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const nested = stringify(value).trimEnd().split('\n');
        return [labels[i], ...nested.map((l) => `  ${l}`)].join('\n');
      }
      return `${label}  ${cell(value)}`;
    })
    .join('\n');
}

/** `describe`, or the object itself with `-o json|yaml`. */
export function printDescription(ctx: Context, row: Row) {
  const format = ctx.flags.get('output');
  if (format === 'json' || format === 'yaml') printOne(ctx, row, { table: [] });
  else ctx.io.out(describe(row));
}
