import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/**
 * The hub's own outgoing HTTP: one POST to a backend (a proxy hook, a webhook batch), on
 * `node:http` rather than `fetch`. The hub's promise that a silent backend times out rests on
 * this: `fetch` follows the caller's abort signal through a weak reference, so after a garbage
 * collection a timed-out request can go on waiting for ever (nodejs/node#55428). Here the
 * timer and the abort listener belong to the request and end it themselves.
 */

/** Why a POST got no answer. */
export type PostFailure = "timeout" | "aborted" | "too_large" | "unreachable";

/** A POST that got no usable answer; `reason` says why, `message` the underlying error. */
export class PostError extends Error {
  constructor(
    readonly reason: PostFailure,
    message: string,
  ) {
    super(message);
    this.name = "PostError";
  }
}

/** A backend's answer. */
export interface PostAnswer {
  status: number;
  text: string;
}

/** Options of {@link BackendClient.post}. */
export interface PostOptions {
  /** Ms from the request's start to its answer's last byte. */
  timeout: number;
  /** Ends the request at once (the hub closing). */
  signal?: AbortSignal;
  /** The longest answer read, in bytes; a longer one fails with `too_large`. */
  maxAnswerBytes?: number;
}

/**
 * POSTs to one URL over kept-alive connections; `close()` ends them. One per backend URL.
 */
export class BackendClient {
  readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(url: string | URL) {
    this.url = new URL(url);
    const https = this.url.protocol === "https:";
    this.agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.request = https ? httpsRequest : httpRequest;
  }

  /**
   * Resolves with the status and the text of the answer, whatever the status; rejects with a
   * {@link PostError} when there is none in time. Redirects are not followed.
   */
  post(body: string, headers: Record<string, string>, options: PostOptions): Promise<PostAnswer> {
    const { timeout, signal, maxAnswerBytes = Number.POSITIVE_INFINITY } = options;
    if (signal?.aborted) return Promise.reject(new PostError("aborted", "aborted"));
    return new Promise<PostAnswer>((resolve, reject) => {
      let settled = false;
      const request = this.request(this.url, {
        method: "POST",
        agent: this.agent,
        headers: { ...headers, "content-length": Buffer.byteLength(body) },
      });
      // First: a request destroyed below still emits its error, which must have a listener.
      request.on("error", (error) => finish(new PostError("unreachable", error.message)));
      const finish = (error: PostError | undefined, answer?: PostAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (error) {
          request.destroy();
          reject(error);
        } else resolve(answer as PostAnswer);
      };
      const timer = setTimeout(
        () => finish(new PostError("timeout", `no answer in ${timeout} ms`)),
        timeout,
      );
      const onAbort = () => finish(new PostError("aborted", "aborted"));
      signal?.addEventListener("abort", onAbort, { once: true });
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on("data", (chunk: Buffer) => {
          length += chunk.length;
          if (length > maxAnswerBytes) {
            finish(new PostError("too_large", `the answer is over ${maxAnswerBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () =>
          finish(undefined, {
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        response.on("error", (error) => finish(new PostError("unreachable", error.message)));
        response.on("aborted", () => finish(new PostError("unreachable", "the answer was cut")));
      });
      request.end(body);
    });
  }

  /** Ends the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
