import type { FieldIssue } from './errors';

/*
 * Text PostgreSQL cannot store. U+0000 is refused in text and in JSON/JSONB. A lone UTF-16
 * surrogate (U+D800–U+DFFF without its pair) is refused in JSON/JSONB, and in text the driver's
 * UTF-8 encoding silently turns it into U+FFFD. JSON can carry both only as escapes (`\u0000`,
 * `\ud800`): a decoded request body never holds a raw lone surrogate, and a raw NUL is not JSON.
 */

/** Cheap check on raw JSON text: true when it may hold either (an escaped backslash may fool it). */
const SUSPECT_ESCAPE = /\\u(?:0000|d[89a-f])/i;
export const jsonTextMayBeUnstorable = (text: string) => SUSPECT_ESCAPE.test(text);

/** The character that keeps PostgreSQL from storing this string, or undefined when it can. */
export function unstorableCharacter(text: string): string | undefined {
  if (text.includes('\u0000')) return 'U+0000';
  if (!text.isWellFormed()) return 'a lone UTF-16 surrogate (U+D800 to U+DFFF)';
  return undefined;
}

/**
 * The first string (or object key) in a parsed value that PostgreSQL cannot store, with its
 * path as validation errors name fields (`graph.nodes.0.name`; '' for the value itself). A bad
 * key is reported at its object, so the error never echoes the character back.
 */
export function findUnstorable(value: unknown): FieldIssue | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      const character = unstorableCharacter(current);
      if (character) return { path, message: `Must not contain ${character}` };
    } else if (typeof current === 'object' && current !== null) {
      const children: [unknown, string][] = [];
      for (const [key, child] of Object.entries(current)) {
        const character = unstorableCharacter(key);
        if (character) return { path, message: `Keys must not contain ${character}` };
        children.push([child, path ? `${path}.${key}` : key]);
      }
      // Reversed onto the stack, so the first offender in document order is the one reported.
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return undefined;
}
