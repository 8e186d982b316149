import WebSocket from "ws";

/** The HTTP answer to a WebSocket upgrade the hub refused. */
export interface RefusedUpgrade {
  status: number;
  body: unknown;
}

/**
 * Attempts a WebSocket upgrade that the hub is expected to refuse, and resolves with the HTTP
 * status and the parsed JSON body. Rejects if the upgrade is accepted instead.
 */
export function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on("open", () => {
      ws.terminate();
      reject(new Error("the upgrade was accepted"));
    });
    ws.on("error", () => {});
    ws.on("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: response.statusCode ?? 0, body: text === "" ? null : JSON.parse(text) });
      });
      response.on("error", reject);
    });
  });
}
