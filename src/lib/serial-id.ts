import { z } from '@hono/zod-openapi';

/** The largest value of a PostgreSQL `serial` (int4): a larger id is not a row, it is a 400. */
export const MAX_SERIAL_ID = 2_147_483_647;
const DIGITS = /^[1-9][0-9]{0,9}$/;

/** Whether a string is a serial id ("123"), for places that accept either an id or a slug. */
export const isSerialId = (value: string) => DIGITS.test(value) && Number(value) <= MAX_SERIAL_ID;

/**
 * An integer id (organizations, teams, users, projects): a string in paths, queries and JSON
 * ("123", API.md), a number accepted too in bodies; a number once parsed. The one schema for
 * them all, so every layer refuses the same ids with the same messages.
 */
export const serialId = z
  .preprocess(
    (value) => (typeof value === 'number' ? String(value) : value),
    z.string().regex(DIGITS, 'Must be a positive integer id'),
  )
  .transform(Number)
  .refine((n) => n <= MAX_SERIAL_ID, 'Id out of range')
  .openapi({ example: '123' });
