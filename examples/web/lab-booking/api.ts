/**
 * The booking backend's REST API, as the page reaches it: `backend/…` beside the page (the
 * hub's server forwards it to the Python process), with the login's token.
 */

export type Role = "admin" | "user";

export interface User {
  id: string;
  name: string;
  role: Role;
}

/** What a login gives: the token (for the backend and the hub alike) and who it is. */
export interface Login {
  token: string;
  user: User;
  /** When the token expires, in ms since the epoch. */
  expiresAt: number;
}

export interface DemoUser extends User {
  password: string;
}

export type EquipmentStatus = "available" | "in_use" | "maintenance";

export interface Equipment {
  id: number;
  name: string;
  location: string;
  description: string;
  status: EquipmentStatus;
  /** The running session on it, and whose. */
  sessionId: number | null;
  userId: string | null;
  userName: string | null;
}

export interface BookingSession {
  id: number;
  equipmentId: number;
  equipmentName: string;
  userId: string;
  userName: string;
  purpose: string;
  /** Seconds since the epoch. */
  startedAt: number;
  endedAt: number | null;
}

export type SampleStatus = "submitted" | "received" | "analysing" | "done";

export interface Sample {
  id: number;
  title: string;
  notes: string;
  status: SampleStatus;
  read: boolean;
  createdAt: number;
  senderId: string;
  senderName: string;
  recipientId: string;
  recipientName: string;
}

/** An answer of the backend other than 2xx. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls `backend/<path>`; the answer's JSON, or an {@link ApiError} with its message. */
export async function request<T>(
  path: string,
  options: { token?: string; method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(new URL(`backend/${path}`, window.location.href), {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const payload = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(response.status, payload.error ?? response.statusText);
  return payload as T;
}

/** The API of one logged-in user. */
export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: string, path: string, body?: unknown): Promise<T>;
}

export function apiFor(token: string, onUnauthorized: () => void): Api {
  const guard = async <T>(call: Promise<T>): Promise<T> => {
    try {
      return await call;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) onUnauthorized();
      throw error;
    }
  };
  return {
    get: (path) => guard(request(path, { token })),
    send: (method, path, body) => guard(request(path, { token, method, body: body ?? {} })),
  };
}
