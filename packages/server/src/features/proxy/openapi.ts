import type { Json, OpenApiFragment } from "../../core/hub-api.js";
import { ref } from "../../http/openapi-parts.js";
import { BACKEND_CODE_RANGE } from "./backend.js";

/**
 * The requests the proxies make to the application's backend, as OpenAPI 3.1 `webhooks`
 * (merged into `/api/openapi.json` when the proxy feature is installed), so a backend can
 * generate its types. docs/backends.md explains each with a Python example.
 */

/** An answer: `{"result": <result>}` or `{"error": BackendError}`. */
const answer = (result: Json): Json => ({
  oneOf: [
    { type: "object", required: ["result"], properties: { result } },
    { type: "object", required: ["error"], properties: { error: ref("ProxyBackendError") } },
  ],
});

function hook(
  summary: string,
  description: string,
  body: Json,
  result: Json,
): Record<string, Json> {
  return {
    post: {
      summary,
      description,
      requestBody: { required: true, content: { "application/json": { schema: body } } },
      responses: {
        "200": {
          description:
            "The backend's answer. Any other status, a connection failure or a late answer fails the request (`backend_unavailable`, `backend_timeout`); an answer of another shape is `backend_invalid_answer`.",
          content: { "application/json": { schema: answer(result) } },
        },
      },
    },
  };
}

const schemas: Record<string, Json> = {
  ProxyBackendError: {
    type: "object",
    description:
      "A refusal: the client gets `backend_error` with `details` `{code, message, temporary}`. A temporary refusal of a connect closes in the back-off class (`backend_unavailable`, 4105), any other one with 4004.",
    required: ["code", "message"],
    properties: {
      code: { type: "integer", minimum: BACKEND_CODE_RANGE[0], maximum: BACKEND_CODE_RANGE[1] },
      message: { type: "string", description: "Shown to the client (cut to 256 characters)." },
      temporary: { type: "boolean", default: false },
    },
  },
  ProxyClient: {
    type: "object",
    description: "The client a request is about.",
    required: ["clientId", "sessionId", "userId", "ip", "info", "meta"],
    properties: {
      clientId: { type: "string" },
      sessionId: { type: "string" },
      userId: { type: ["string", "null"] },
      ip: { type: "string" },
      info: { description: "The connect answer's `info` (null when none)." },
      meta: { description: "The connect answer's `meta` (null when none)." },
    },
  },
  ProxyConnectRequest: {
    type: "object",
    required: ["clientId", "ip", "codec", "sdk", "data", "headers", "cookies"],
    properties: {
      clientId: { type: "string" },
      ip: { type: "string" },
      codec: { type: "string", enum: ["json", "msgpack"] },
      sdk: { type: ["string", "null"], description: "The connect frame's `sdk`." },
      data: { description: "The connect frame's `data` (null when none)." },
      headers: {
        type: "object",
        additionalProperties: { type: "string" },
        description: "The upgrade request's headers named in `proxy.connect.headers` (lower case).",
      },
      cookies: {
        type: "object",
        additionalProperties: { type: "string" },
        description: "The upgrade request's cookies named in `proxy.connect.cookies`.",
      },
    },
  },
  ProxyConnectResult: {
    type: "object",
    required: ["userId"],
    properties: {
      userId: {
        type: ["string", "null"],
        description: "The user; null (or an empty string) for an anonymous client.",
      },
      info: { description: "Public facts about the user (presence, other clients)." },
      meta: { description: "Server-side facts, sent back in later requests, never to clients." },
      channels: {
        type: "array",
        items: { type: "string" },
        description: "Channels the client joins at once (server-side subscriptions).",
      },
      expiresAt: {
        type: ["integer", "null"],
        description:
          "When the connection lapses (ms since the Unix epoch): the refresh hook extends it, or without one the client is closed with `token_expired`.",
      },
    },
  },
  ProxyRefreshRequest: {
    type: "object",
    required: ["client"],
    properties: { client: ref("ProxyClient") },
  },
  ProxyRefreshResult: {
    type: "object",
    properties: { expiresAt: { type: ["integer", "null"] } },
  },
  ProxySubscribeRequest: {
    type: "object",
    required: ["client", "channel", "namespace"],
    properties: {
      client: ref("ProxyClient"),
      channel: { type: "string" },
      namespace: { type: "string" },
    },
  },
  ProxySubscribeResult: {
    type: "object",
    properties: { info: { description: "Attached to the subscription (the `subscribe` hook)." } },
  },
  ProxyPublishRequest: {
    type: "object",
    required: ["client", "channel", "namespace", "event", "data"],
    properties: {
      client: ref("ProxyClient"),
      channel: { type: "string" },
      namespace: { type: "string" },
      event: { type: "string" },
      data: {},
    },
  },
  ProxyPublishResult: {
    type: "object",
    properties: { data: { description: "When present, replaces the published data." } },
  },
  ProxyRpcRequest: {
    type: "object",
    required: ["client", "method", "data"],
    properties: { client: ref("ProxyClient"), method: { type: "string" }, data: {} },
  },
  ProxyRpcResult: {
    type: "object",
    properties: { data: { description: "The RPC's reply to the client (null when absent)." } },
  },
};

/** The proxies' part of the OpenAPI document: no routes, five webhooks. */
export const proxyOpenApi: OpenApiFragment = {
  paths: {},
  webhooks: {
    proxyConnect: hook(
      "connect: decide a connect that carries no token",
      "Sent to `proxy.connect.url` for every connect without a token.",
      ref("ProxyConnectRequest"),
      ref("ProxyConnectResult"),
    ),
    proxyRefresh: hook(
      "refresh: extend a proxied connection at its expiresAt",
      "Sent to `proxy.refresh.url`. A refusal closes the connection (4004); an outage is retried after `retryInterval`.",
      ref("ProxyRefreshRequest"),
      ref("ProxyRefreshResult"),
    ),
    proxySubscribe: hook(
      "subscribe: allow a client's subscribe",
      "Sent to `proxy.subscribe.url` after the namespace's own rule allowed the subscribe.",
      ref("ProxySubscribeRequest"),
      ref("ProxySubscribeResult"),
    ),
    proxyPublish: hook(
      "publish: check or rewrite a client's publish",
      "Sent to `proxy.publish.url` after the namespace's own rule allowed the publish.",
      ref("ProxyPublishRequest"),
      ref("ProxyPublishResult"),
    ),
    proxyRpc: hook(
      "rpc: answer a client's RPC",
      "Sent to `proxy.rpc.url` for methods matching `proxy.rpc.methods` that no `hub.rpc` handler answers.",
      ref("ProxyRpcRequest"),
      ref("ProxyRpcResult"),
    ),
  },
  schemas,
};
