/**
 * Value generators shared by the construct properties: plausible values most of the time (so that
 * most cases synthesize and the accepted templates get checked), wild ones often enough (NaN,
 * infinities, negative zero, huge, fractional, empty, over-long, any Unicode) to hit every check.
 */
import { Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';

/** `arb`, or `undefined` (the prop left out) with probability `undefinedShare`. */
export function opt<T>(arb: fc.Arbitrary<T>, undefinedShare = 1 / 3): fc.Arbitrary<T | undefined> {
  const scale = 1000;
  const none = Math.round(undefinedShare * scale);
  return fc.oneof(
    { weight: none, arbitrary: fc.constant(undefined) },
    { weight: scale - none, arbitrary: arb },
  );
}

/** aws-cdk-lib's pattern of a number token turned into a string (`${token}`): see below. */
const STRINGIFIED_NUMBER_TOKEN = /-1\.\d{10,16}e\+289/;

/**
 * Whether aws-cdk-lib reads `n` as a token: it encodes number tokens as doubles near -1.9e289
 * (`Token.isUnresolved(n)`), and any string containing `-1.<10 to 16 digits>e+289` as a number
 * token turned into a string (a task's cpu and memory become strings). The library skips tokens
 * by design (they are known only at deploy time), and aws-cdk-lib then fails to resolve a
 * "token" it never issued. Such a number is a forged token, not a value, so it is left out.
 */
export function isForgedToken(n: number): boolean {
  return Token.isUnresolved(n) || STRINGIFIED_NUMBER_TOKEN.test(String(n));
}

/** Any number a JavaScript caller might pass where a number is expected (forged tokens aside). */
export const wildNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.double().filter((n) => !isForgedToken(n)),
  fc.constantFrom(0, -0, -1, 0.5, 1.5, NaN, Infinity, -Infinity, 1e21, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE),
);

/** Any string, up to `maxLength` UTF-16 units: printable, any code point, or a few notable ones. */
export function wildString(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength: Math.max(1, Math.floor(maxLength / 2)) }),
    fc.constantFrom('', ' ', '*', '?', 'latest', 'Default', '\n', 'a'.repeat(maxLength)),
  );
}

/** A string made of `chars`, `minLength` to `maxLength` characters. */
export function stringOf(chars: string[], minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });
}

const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'];
const DIGITS = [...'0123456789'];

/** Characters ECS accepts in service and container names. */
const ECS_NAME_CHARS = [...LETTERS, ...DIGITS, '_', '-'];

/** Characters X-Ray accepts in a segment (service) name: letters, numbers, whitespace, `_ . : / % & # = + \ - @`. */
const XRAY_NAME_CHARS = [...LETTERS, ...DIGITS, ' ', '\t', 'é', 'ß', 'Ж', '名', '٣', '_', '.', ':', '/', '%', '&', '#', '=', '+', '\\', '-', '@'];

/** A name ECS accepts, 1 to `maxLength` characters. */
export function ecsName(maxLength: number): fc.Arbitrary<string> {
  return stringOf(ECS_NAME_CHARS, 1, maxLength);
}

/** A name X-Ray accepts as a service name, 1 to `maxLength` characters. */
export function xrayName(maxLength: number): fc.Arbitrary<string> {
  return stringOf(XRAY_NAME_CHARS, 1, maxLength);
}

/** A sampling-rule match value: X-Ray name characters and the wildcards `*` and `?`. */
export function matchValue(maxLength: number): fc.Arbitrary<string> {
  return stringOf([...XRAY_NAME_CHARS, '*', '?'], 1, maxLength);
}

/** A sampling rate: mostly 0 to 1, sometimes anything. */
export const samplingRate: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 0.1, 0.05) },
  { weight: 1, arbitrary: wildNumber },
);

/** The SDK's context-missing strategies, or anything else a JavaScript caller might pass. */
export const contextMissing: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('LOG_ERROR', 'RUNTIME_ERROR', 'IGNORE_ERROR') },
  { weight: 1, arbitrary: wildString(16) },
);

/** (cpu, memory) pairs Fargate runs (Linux). */
export const FARGATE_PAIRS: ReadonlyArray<readonly [number, number]> = [
  [256, 512], [256, 1024], [256, 2048],
  [512, 1024], [512, 2048], [512, 3072], [512, 4096],
  [1024, 2048], [1024, 4096], [1024, 8192],
  [2048, 4096], [2048, 9216], [2048, 16384],
  [4096, 8192], [4096, 20480], [4096, 30720],
  [8192, 16384], [8192, 40960], [8192, 61440],
  [16384, 32768], [16384, 65536], [16384, 122880],
];

/** A task size: a valid Fargate pair most of the time, else valid cpu with any memory, else anything. */
export function fargateSize(wild: fc.Arbitrary<number>): fc.Arbitrary<{ cpu: number; memoryMiB: number }> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...FARGATE_PAIRS).map(([cpu, memoryMiB]) => ({ cpu, memoryMiB })) },
    {
      weight: 1,
      arbitrary: fc.record({ cpu: fc.constantFrom(256, 512, 1024, 2048, 4096, 8192, 16384), memoryMiB: fc.integer({ min: 1, max: 130_000 }) }),
    },
    { weight: 1, arbitrary: fc.record({ cpu: wild, memoryMiB: wild }) },
  );
}
