import { isValidId } from "@switchyard/protocol";

/** The `localStorage` key that holds a browser's session id, shared by its tabs. */
export const SESSION_STORAGE_KEY = "switchyard.sessionId";

/**
 * A random id: `crypto.randomUUID()` where available, otherwise 128 random bits in hex
 * (`randomUUID` exists only in secure contexts).
 */
export function randomId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function browserStorage(): StorageLike | undefined {
  // Reading `localStorage` throws where storage is blocked (sandboxed frames, privacy modes).
  try {
    if (typeof document === "undefined") return undefined;
    return (globalThis as { localStorage?: StorageLike }).localStorage;
  } catch {
    return undefined;
  }
}

/**
 * The session id to ask the hub for: the given one, else the one stored for this browser
 * profile, else none (the hub issues one; see {@link storeSessionId}).
 */
export function resolveSessionId(given?: string): string | undefined {
  if (given !== undefined) {
    if (!isValidId(given)) {
      throw new TypeError("createClient: 'sessionId' must be 1-128 of A-Z a-z 0-9 _ . @ | : -");
    }
    return given;
  }
  try {
    const stored = browserStorage()?.getItem(SESSION_STORAGE_KEY) ?? null;
    return stored !== null && isValidId(stored) ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the session id the hub gave for the other tabs of this browser profile. */
export function storeSessionId(sessionId: string): void {
  try {
    browserStorage()?.setItem(SESSION_STORAGE_KEY, sessionId);
  } catch {
    // Storage blocked or full: this tab keeps its id in memory.
  }
}
