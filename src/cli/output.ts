import { stringify } from 'yaml';
import { ClientError, EXIT } from '../client/errors';

export type OutputFormat = 'table' | 'json' | 'yaml';

export function outputFormat(value: string | undefined): OutputFormat {
  const format = value ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'yaml') {
    throw new ClientError(`Unknown output format "${format}" (table, json, yaml)`, EXIT.usage);
  }
  return format;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Plain aligned columns, like kubectl's default output. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return 'No resources found.';
  const data = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...data.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('   ')
      .trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...data.map(line)].join('\n');
}

export function render(rows: Record<string, unknown>[], columns: string[], format: OutputFormat) {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'yaml') return stringify(rows).trimEnd();
  return table(rows, columns);
}
