/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket`, Node 22's global
 * one and the `ws` package all fit it.
 */

/** A received message. */
export interface MessageEventLike {
  readonly data: unknown;
}

/** A close notification. */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** The socket surface the client relies on. */
export interface WebSocketLike {
  readonly readyState: number;
  /** The subprotocol the server selected. */
  readonly protocol: string;
  binaryType: string;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "message", listener: (event: MessageEventLike) => void): void;
  addEventListener(type: "close", listener: (event: CloseEventLike) => void): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
}

/** A WebSocket class: `new WebSocket(url, protocols)`. */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** `readyState` of an open socket. */
export const OPEN = 1;

let loaded: Promise<WebSocketConstructor> | undefined;

/**
 * The global `WebSocket`, or the optional `ws` package where there is none (Node before 22).
 * The package name is held in a variable so that browser bundlers do not try to bundle it.
 */
export function loadWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return Promise.resolve(global);
  loaded ??= importWs();
  return loaded;
}

async function importWs(): Promise<WebSocketConstructor> {
  const name = "ws";
  try {
    const module = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as {
      default?: WebSocketConstructor;
      WebSocket?: WebSocketConstructor;
    };
    const found = module.WebSocket ?? module.default;
    if (!found) throw new TypeError("The 'ws' package exports no WebSocket class");
    return found;
  } catch (error) {
    loaded = undefined;
    throw new TypeError(
      "No WebSocket implementation: install the 'ws' package or pass the 'WebSocket' option",
      { cause: error },
    );
  }
}
