import { SwitchyardError } from "@switchyard/protocol";

/** Most levels of arrays and objects nested in event data (the outermost one counts as 1). */
const MAX_DATA_DEPTH = 100;

/** What is wrong at one place of a value; `path` is filled leaf first while unwinding. */
interface Problem {
  /** A short name of what was found: `BigInt`, `Date`, `undefined`, `NaN`, `too deep`, … */
  type: string;
  /** How the message says it, after the path: `is a BigInt`. */
  says: string;
  path: (string | number)[];
}

// String.prototype.isWellFormed is in every Node this package runs on (20.19+) but in no
// TypeScript lib this project targets (ES2023).
type MaybeWellFormed = string & { isWellFormed(): boolean };

/**
 * Checks that `value` may be published as event data, and throws `invalid_data` otherwise.
 *
 * Event data reaches subscribers of both codecs, history and the HTTP API, so it must be what
 * both JSON and standard MessagePack carry alike: `null`, booleans, finite numbers, strings of
 * valid Unicode, arrays, and plain objects (prototype `Object.prototype` or `null`) with
 * string keys, nested at most {@link MAX_DATA_DEPTH} levels — plus binary data as a plain
 * `Uint8Array` (MessagePack `bin`). Object fields that are `undefined` are dropped by both
 * codecs and allowed. Anything else (BigInt, Date, Map, Set, other typed arrays, Buffer,
 * `undefined` in an array, NaN, class instances, cycles, …) is refused with a message and
 * `details` naming where it is and what it is.
 *
 * One walk of the value that allocates nothing unless it finds a problem.
 *
 * @param field what the value is called in messages (`data`, `result`, `meta`).
 */
export function checkData(value: unknown, field: string): void {
  const problem = find(value, 0);
  if (problem === undefined) return;
  const path = field + formatPath(problem.path.reverse());
  const where = path.length > 120 ? `${path.slice(0, 119)}…` : path;
  throw new SwitchyardError(
    "invalid_data",
    `${where} ${problem.says}; event data must be JSON values (binary data as a Uint8Array)`,
    { field, path, type: problem.type },
  );
}

/** The first problem in `value` (depth-first), or undefined when there is none. */
function find(value: unknown, depth: number): Problem | undefined {
  switch (typeof value) {
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : problem(String(value), `is ${value}`);
    case "string":
      return (value as MaybeWellFormed).isWellFormed() ? undefined : loneSurrogate("is");
    case "object":
      if (value === null) return undefined;
      return Array.isArray(value) ? findInArray(value, depth) : findInObject(value, depth);
    case "undefined":
      return problem("undefined", "is undefined");
    case "bigint":
      return problem("BigInt", "is a BigInt");
    default:
      return problem(typeof value, `is a ${typeof value}`);
  }
}

function findInArray(array: unknown[], depth: number): Problem | undefined {
  if (Object.getPrototypeOf(array) !== Array.prototype) return notPlain(array);
  if (depth >= MAX_DATA_DEPTH) return tooDeep();
  for (let i = 0; i < array.length; i++) {
    // A hole reads as undefined: JSON writes null there, MessagePack something else.
    const found = find(array[i], depth + 1);
    if (found !== undefined) {
      found.path.push(i);
      return found;
    }
  }
  return undefined;
}

function findInObject(object: object, depth: number): Problem | undefined {
  const prototype = Object.getPrototypeOf(object);
  if (prototype === Uint8Array.prototype) return undefined;
  if (prototype !== Object.prototype && prototype !== null) return notPlain(object);
  if (depth >= MAX_DATA_DEPTH) return tooDeep();
  const record = object as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const item = record[key];
    // Both codecs leave such a field out.
    if (item === undefined) continue;
    const found = (key as MaybeWellFormed).isWellFormed()
      ? find(item, depth + 1)
      : loneSurrogate("has a key with");
    if (found !== undefined) {
      found.path.push(key);
      return found;
    }
  }
  return undefined;
}

function problem(type: string, says: string): Problem {
  return { type, says, path: [] };
}

function loneSurrogate(verb: string): Problem {
  return problem("lone surrogate", `${verb} a lone surrogate (not valid Unicode)`);
}

function tooDeep(): Problem {
  return problem("too deep", `nests deeper than ${MAX_DATA_DEPTH} levels (or is cyclic)`);
}

function notPlain(value: object): Problem {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  const type = typeof name === "string" && name !== "" ? name : "object";
  const article = /^[AEIOU]/.test(type) ? "an" : "a";
  return problem(
    type,
    type === "object" ? "is an object with a prototype" : `is ${article} ${type}`,
  );
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
