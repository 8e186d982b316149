/**
 * msgpackr reads two things otherwise than the protocol (docs/protocol.md, "Other values in
 * MessagePack"): it returns a marker object for 0xc1, a byte MessagePack never uses, where a
 * malformed message must be refused; and it renames a map key `__proto__` to `__proto_` (its
 * guard for object prototypes), where a key is read as its text (an own key, as `JSON.parse`
 * makes it), so that both codecs read the same data alike. Both are rare: every message is
 * read by msgpackr, its result looked over once, and only a message with a `__proto_` key
 * read again, with maps as maps.
 */
import { C1, Unpackr } from "msgpackr";

type UnpackrOptions = NonNullable<ConstructorParameters<typeof Unpackr>[0]>;

/** The key msgpackr writes for a map key `__proto__`. */
const RENAMED_PROTO = "__proto_";

/** A map key as msgpackr reads it into an object: nil, booleans and numbers as their text. */
function keyText(key: unknown): string {
  if (typeof key === "string") return key;
  const kind = typeof key;
  if (kind === "number" || kind === "boolean" || kind === "bigint" || key == null) {
    return String(key);
  }
  throw new TypeError(`A MessagePack map key must be a string, nil, a boolean or a number`);
}

function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    // Assigning would set the object's prototype instead of its own `__proto__` key.
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}

const neverUsed = () => new TypeError("The byte 0xc1 is never used in MessagePack");

/**
 * Throws when `value` holds the 0xc1 marker; returns true when one of its objects has a key
 * `__proto_`, which msgpackr may have renamed from `__proto__`. Only reads, and visits each
 * value once: most messages hold neither.
 */
function inspect(value: object): boolean {
  if (value === C1) throw neverUsed();
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "object" && item !== null && inspect(item)) return true;
    }
  } else if (value instanceof Set) {
    for (const item of value) {
      if (typeof item === "object" && item !== null && inspect(item)) return true;
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    if (Object.hasOwn(value, RENAMED_PROTO)) return true;
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === "object" && item !== null && inspect(item)) return true;
    }
  }
  return false;
}

/**
 * `value` with every `Map` turned into a plain object (own keys only, `__proto__` included);
 * throws on the 0xc1 marker. Arrays, plain objects and sets are changed in place.
 */
function plain(value: unknown): unknown {
  if (value === C1) throw neverUsed();
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = plain(value[i]);
    return value;
  }
  if (value instanceof Map) {
    const object: Record<string, unknown> = {};
    for (const [key, item] of value) setOwn(object, keyText(key), plain(item));
    return object;
  }
  if (value instanceof Set) {
    const items = [...value].map(plain);
    value.clear();
    for (const item of items) value.add(item);
    return value;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const item = object[key];
      const read = plain(item);
      if (read !== item) setOwn(object, key, read);
    }
  }
  return value;
}

/**
 * A function reading one MessagePack message with msgpackr's `options` (maps read as objects),
 * as the protocol says. Throws on malformed input.
 */
export function messagePackReader(options: UnpackrOptions): (bytes: Uint8Array) => unknown {
  const asObjects = new Unpackr({ ...options, mapsAsObjects: true });
  const asMaps = new Unpackr({ ...options, mapsAsObjects: false });
  return (bytes) => {
    const value: unknown = asObjects.unpack(bytes);
    if (typeof value !== "object" || value === null || !inspect(value)) return value;
    // Rare: read again with maps as maps, which keeps every key as it was sent.
    return plain(asMaps.unpack(bytes));
  };
}
