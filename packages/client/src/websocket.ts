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

let loaded: Promise<WebSocketConstructor> | undefined;

/**
 * The package loaded on Node before 22. Read from an object at run time so that bundlers,
 * which fold constants, cannot see the import and do not pull `ws` into browser bundles.
 */
const fallback = { name: "ws" };

/**
 * The global `WebSocket`, or the optional `ws` package where there is none (Node before 22).
 */
export function loadWebSocket(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return Promise.resolve(global);
  loaded ??= importWs();
  return loaded;
}

async function importWs(): Promise<WebSocketConstructor> {
  try {
    const module = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fallback.name)) as {
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
