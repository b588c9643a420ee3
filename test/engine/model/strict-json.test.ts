import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseStrictJson, StrictJsonError } from '../../../main/engine/model/strict-json.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

describe('parseStrictJson', () => {
  it.each([
    ['the same key in different objects', '{"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 3}, {"k": 4}]}'],
    ['brackets, commas and quotes inside strings', '{"a": "{[,\\"", "b\\\\": ",}]\\\\", "c": ["\\"a\\":"]}'],
    ['a value equal to a key', '{"a": "a", "b": ["a", "a"]}'],
    ['non-ASCII keys', '{"café": 1, "cafe\\u0301": 2}'],
    ['exactly the depth limit', nested(MAX_JSON_DEPTH)],
  ])('accepts %s, as JSON.parse reads it', (_, text) => {
    expect(parseStrictJson(bytes(text))).toEqual(JSON.parse(text));
  });

  it.each([
    ['a repeated key', '{"a": 1, "b": 2, "a": 3}', 'repeats the key "a"'],
    ['a repeated key after a string with an escaped quote', '{"a": "x\\"", "a": 1}', 'repeats the key "a"'],
    ['a repeated key after a string ending in a backslash', '{"a": "x\\\\", "a": 1}', 'repeats the key "a"'],
    ['a repeated key spelled with an escape', '{"ab": 1, "\\u0061b": 2}', 'repeats the key "ab"'],
    ['a repeated key in an object inside an array', '[1, {"k": 1, "k": 1}]', 'repeats the key "k"'],
    ['one level too deep', nested(MAX_JSON_DEPTH + 1), `more than ${MAX_JSON_DEPTH} deep`],
    ['deep objects', '{"a":'.repeat(100) + '1' + '}'.repeat(100), `more than ${MAX_JSON_DEPTH} deep`],
    ['text that is not JSON', '{"a": 1,}', 'is not valid JSON'],
  ])('refuses %s', (_, text, problem) => {
    expect(() => parseStrictJson(bytes(text))).toThrow(StrictJsonError);
    expect(() => parseStrictJson(bytes(text))).toThrow(problem);
  });

  it.each([
    ['a Latin-1 byte', [0x22, 0xe9, 0x22]],
    ['a truncated sequence at the end', [0x22, 0x61, 0x22, 0xc3]],
    ['an encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ['an overlong encoding', [0x22, 0xc0, 0xaf, 0x22]],
  ])('refuses bytes that are not UTF-8: %s', (_, raw) => {
    expect(() => parseStrictJson(new Uint8Array(raw))).toThrow('is not UTF-8 text');
  });
});
