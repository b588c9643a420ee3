/**
 * JSON from a model folder, read strictly: UTF-8 only, no repeated keys, bounded nesting.
 *
 * `JSON.parse` alone accepts all three: it decodes nothing (a lenient decode has already turned bad
 * bytes into U+FFFD), keeps the last of two equal keys (so a file can say one thing to a person
 * reading it and another to the program), and nests as deep as memory allows. No strict JSON parser
 * is installed, so the grammar is left to `JSON.parse` and only the two things it cannot see are
 * checked here, by one scan over text that `JSON.parse` has already accepted.
 */

/** Deeper than any model file needs (ml5 manifests nest 3 levels, tfjs GraphDefs about 10). */
export const MAX_JSON_DEPTH = 32;

/** A file that is not strict JSON; the message completes "file X ..." and names the problem. */
export class StrictJsonError extends Error {
  override readonly name = 'StrictJsonError';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes `bytes` as UTF-8 and parses them as JSON.
 *
 * @throws {StrictJsonError} for bytes that are not UTF-8, text that is not JSON, an object that repeats
 *   a key, or containers nested more than `maxDepth` deep.
 */
export function parseStrictJson(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new StrictJsonError('is not UTF-8 text; save it as UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StrictJsonError(`is not valid JSON (${(error as Error).message}).`);
  }
  checkKeysAndDepth(text, maxDepth);
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * Walks text that is valid JSON: outside strings only brackets and commas matter, and a string is a
 * key exactly when it comes first in an object or right after a comma in one. Keys are compared
 * decoded, so `"a"` and `"\u0061"` are the same key, as they are to `JSON.parse`.
 */
function checkKeysAndDepth(text: string, maxDepth: number): void {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const keys = open[open.length - 1]!;
        if (keys.has(key)) {
          throw new StrictJsonError(
            `repeats the key ${JSON.stringify(key)} in one object; a key may appear only once.`,
          );
        }
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (open.length === maxDepth) {
        throw new StrictJsonError(`nests objects and arrays more than ${maxDepth} deep.`);
      }
      open.push(c === OPEN_OBJECT ? new Set() : null);
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = open[open.length - 1] instanceof Set;
    }
  }
}

/** Index of the quote that ends the string starting at `start` (valid JSON: it exists). */
function closingQuote(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    i += c === BACKSLASH ? 2 : 1;
  }
}
