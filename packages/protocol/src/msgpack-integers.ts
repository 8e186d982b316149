/**
 * msgpackr writes a number as a MessagePack integer only within 32 bits and as a float 64
 * beyond, so a millisecond timestamp (about 2^40) would travel as a float. It writes a BigInt
 * as a 64-bit integer. Integer-valued numbers past 32 bits are therefore handed to it as
 * BigInts, which keeps every integer from -2^63 to 2^64 a MessagePack integer.
 */

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;
const INT64_MIN = -(2 ** 63);
const UINT64_LIMIT = 2 ** 64;

/** True for an integer that msgpackr would write as a float 64 but fits a 64-bit integer. */
function isWideInteger(value: number): boolean {
  return (
    (value > UINT32_MAX || value < INT32_MIN) &&
    value >= INT64_MIN &&
    value < UINT64_LIMIT &&
    Number.isInteger(value)
  );
}

/**
 * `value` with every integer-valued number past 32 bits turned into a BigInt, for msgpackr to
 * write as a 64-bit integer. Copies only the arrays and plain objects on the way to such a
 * number; returns `value` itself when there is none. Binary data, and other objects the codec
 * treats as leaves, are left alone.
 */
export function widenIntegers(value: unknown): unknown {
  if (typeof value === "number") return isWideInteger(value) ? BigInt(value) : value;
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const widened = widenIntegers(item);
      if (widened === item) continue;
      copy ??= value.slice();
      copy[i] = widened;
    }
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const item = record[key];
    const widened = widenIntegers(item);
    if (widened === item) continue;
    copy ??= { ...record };
    if (key === "__proto__") {
      // Assigning would set the copy's prototype instead of its own `__proto__` key.
      Object.defineProperty(copy, key, { value: widened, enumerable: true, writable: true });
    } else {
      copy[key] = widened;
    }
  }
  return copy ?? value;
}
