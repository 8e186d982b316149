/**
 * The origin of the test pages: an app server on its own port, apart from the hub, as in
 * production (pages import the SDK from the hub across origins). Routes answer with text.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** What a route answers. */
export interface Answer {
  type: string;
  body: string;
  status?: number;
}

/** Routes by path (without the query string). */
export type Routes = Record<string, (request: IncomingMessage) => Answer | Promise<Answer>>;

/** A running app server. */
export interface AppServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startAppServer(routes: Routes): Promise<AppServer> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://app").pathname;
    const route = routes[path];
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    Promise.resolve(route(request)).then(
      (answer) => {
        response.writeHead(answer.status ?? 200, {
          "content-type": answer.type,
          "cache-control": "no-store",
        });
        response.end(answer.body);
      },
      (error: unknown) => response.writeHead(500).end(String(error)),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
