/**
 * A protobuf writer with just what an OTLP/HTTP request needs, for tests and the local-agent bench
 * (field numbers come from opentelemetry-proto at each call site).
 */
export function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    const low = Number(v % 128n);
    v /= 128n;
    bytes.push(v > 0n ? low + 128 : low);
  } while (v > 0n);
  return Buffer.from(bytes);
}

/** A field's key: its number and wire type (0 varint, 1 fixed64, 2 length-delimited). */
export const key = (field: number, wire: number): Buffer => varint(BigInt(field * 8 + wire));

/** A length-delimited field: a string (UTF-8), bytes or an embedded message. */
export const len = (field: number, body: Buffer | string): Buffer => {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf-8') : body;
  return Buffer.concat([key(field, 2), varint(BigInt(b.length)), b]);
};

/** A varint field. */
export const uint = (field: number, value: number | bigint): Buffer => Buffer.concat([key(field, 0), varint(BigInt(value))]);

/** A fixed64 field, little-endian. */
export const fixed64 = (field: number, value: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([key(field, 1), b]);
};
