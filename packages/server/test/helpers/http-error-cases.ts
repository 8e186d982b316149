/**
 * One request for every error code each HTTP API route documents (docs/http-api.md, and
 * docs/jobs.md for the job routes), and the hub state they run against. The errors-doc test
 * drives the handler with them and checks the docs against what it answers.
 */
import { type ErrorCode, SwitchyardError } from "@switchyard/protocol";
import type { Hono } from "hono";
import { z } from "zod";
import { createHttpApi } from "../../src/http/http-api.js";
import { type Broker, createHub, createMemoryBroker, type Hub } from "../../src/index.js";

export const API_KEY = "errors-doc-key";
const AUTH = { authorization: `Bearer ${API_KEY}` };

/** A route as the docs name it: method and path with `{parameters}`. */
export type Route = `${"GET" | "POST" | "PUT" | "PATCH"} /api/${string}`;

/** The job routes by the word docs/jobs.md names them with. */
export const JOB_ROUTES: Readonly<Record<string, Route>> = {
  create: "POST /api/jobs",
  list: "GET /api/jobs",
  get: "GET /api/jobs/{id}",
  start: "POST /api/jobs/{id}/start",
  progress: "POST /api/jobs/{id}/progress",
  chunk: "POST /api/jobs/{id}/chunk",
  validation: "POST /api/jobs/{id}/validation",
  complete: "POST /api/jobs/{id}/complete",
  fail: "POST /api/jobs/{id}/fail",
  cancelled: "POST /api/jobs/{id}/cancelled",
  cancel: "POST /api/jobs/{id}/cancel",
};

/** The state routes by the word docs/state.md names them with. */
export const STATE_ROUTES: Readonly<Record<string, Route>> = {
  get: "GET /api/state/{name}",
  write: "PATCH /api/state/{name}",
  reload: "PUT /api/state/{name}",
  preset: "POST /api/state/{name}/presets/{preset}",
};

function stateCases(word: string, code: ErrorCode, ...inputs: CaseInput[]): HttpErrorCase[] {
  const route = STATE_ROUTES[word];
  if (route === undefined) throw new Error(`no state route '${word}'`);
  return cases(route, code, ...inputs);
}

/** Which API answers: the usual one, one whose broker lost Redis, one whose disconnect throws. */
type ApiName = "usual" | "brokerDown" | "failing";

export interface HttpErrorCase {
  route: Route;
  code: ErrorCode;
  /** What is wrong with the request, for the failure message. */
  what: string;
  path: string;
  /** A JSON value, or a string sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  api?: ApiName;
}

type CaseInput = Omit<HttpErrorCase, "route" | "code">;

const LONG = (length: number) => "x".repeat(length);

/** `cases(route, code, ...requests)`: the requests that make `route` answer `code`. */
function cases(route: Route, code: ErrorCode, ...inputs: CaseInput[]): HttpErrorCase[] {
  return inputs.map((input) => ({ route, code, ...input }));
}

function jobCases(word: string, code: ErrorCode, ...inputs: CaseInput[]): HttpErrorCase[] {
  const route = JOB_ROUTES[word];
  if (route === undefined) throw new Error(`no job route '${word}'`);
  return cases(route, code, ...inputs);
}

/** Every job route that reports on a job, with the path it takes for job `id`. */
const REPORTS = ["start", "progress", "chunk", "validation", "complete", "fail", "cancelled"];
const reportPath = (word: string, id: string) => `/api/jobs/${id}/${word}`;
/** A body each report route accepts, so that only the job decides the answer. */
const VALID_REPORT: Record<string, unknown> = {
  start: {},
  progress: { percent: 60 },
  chunk: { index: 1, data: "x" },
  validation: { reason: "check" },
  complete: { result: 1 },
  fail: { message: "broke" },
  cancelled: {},
};

const PUBLISH: Route = "POST /api/publish";
const SEND: Route = "POST /api/send";
const HISTORY: Route = "GET /api/channels/{channel}/history";
const DISCONNECT: Route = "POST /api/disconnect";
const PRESENCE: Route = "GET /api/presence/{channel}";
const PRESENCE_COUNT: Route = "GET /api/presence/{channel}/count";

/** The route-specific cases: each code of each route's table, and nothing else. */
export const ROUTE_CASES: readonly HttpErrorCase[] = [
  ...cases(
    PUBLISH,
    "invalid_body",
    { what: "no channel", path: "/api/publish", body: { event: "e" } },
    { what: "a mistyped channel", path: "/api/publish", body: { channel: 7, event: "e" } },
    { what: "no event", path: "/api/publish", body: { channel: "news" } },
    {
      what: "an unknown field",
      path: "/api/publish",
      body: { channel: "news", event: "e", idempotency_key: "k" },
    },
    { what: "an empty array", path: "/api/publish", body: [] },
    {
      what: "101 items",
      path: "/api/publish",
      body: Array.from({ length: 101 }, () => ({ channel: "news", event: "e" })),
    },
  ),
  ...cases(PUBLISH, "invalid_channel", {
    what: "a bad channel name",
    path: "/api/publish",
    body: { channel: "news:", event: "e" },
  }),
  ...cases(
    PUBLISH,
    "invalid_data",
    { what: "a bad event name", path: "/api/publish", body: { channel: "news", event: "a b" } },
    {
      what: "an empty idempotency key",
      path: "/api/publish",
      body: { channel: "news", event: "e", idempotencyKey: "" },
    },
    {
      what: "data failing the schema",
      path: "/api/publish",
      body: { channel: "score:1", event: "goal", data: { minute: "late" } },
    },
  ),
  ...cases(PUBLISH, "unknown_event", {
    what: "an undeclared event",
    path: "/api/publish",
    body: { channel: "score:1", event: "foul" },
  }),
  ...cases(PUBLISH, "unknown_namespace", {
    what: "a channel of no namespace",
    path: "/api/publish",
    body: { channel: "nowhere:1", event: "e" },
  }),

  ...cases(
    SEND,
    "invalid_body",
    { what: "no target", path: "/api/send", body: { event: "e" } },
    {
      what: "two ids",
      path: "/api/send",
      body: { to: { userId: "a", sessionId: "b" }, event: "e" },
    },
    { what: "a mistyped target", path: "/api/send", body: { to: 5, event: "e" } },
    { what: "a mistyped id", path: "/api/send", body: { to: { userId: 5 }, event: "e" } },
  ),
  ...cases(
    SEND,
    "invalid_data",
    { what: "another string than everyone", path: "/api/send", body: { to: "all", event: "e" } },
    { what: "a bad id", path: "/api/send", body: { to: { userId: "a b" }, event: "e" } },
    { what: "a bad event name", path: "/api/send", body: { to: "everyone", event: "a b" } },
  ),

  ...cases(HISTORY, "invalid_channel", {
    what: "a bad channel name",
    path: "/api/channels/news%3A/history",
  }),
  ...cases(
    HISTORY,
    "invalid_body",
    { what: "a limit that is no integer", path: "/api/channels/news/history?limit=ten" },
    { what: "an after that is no integer", path: "/api/channels/news/history?after=1.5" },
  ),
  ...cases(
    HISTORY,
    "invalid_data",
    { what: "a limit of 0", path: "/api/channels/news/history?limit=0" },
    { what: "a limit over 1000", path: "/api/channels/news/history?limit=1001" },
    { what: "a negative after", path: "/api/channels/news/history?after=-1" },
  ),
  ...cases(HISTORY, "unknown_namespace", {
    what: "a channel of no namespace",
    path: "/api/channels/nowhere%3A1/history",
  }),
  ...cases(HISTORY, "not_found", {
    what: "a channel without history",
    path: "/api/channels/live%3A1/history",
  }),

  ...cases(PRESENCE, "invalid_channel", {
    what: "a bad channel name",
    path: "/api/presence/room%3A",
  }),
  ...cases(PRESENCE, "presence_disabled", {
    what: "a namespace without presence",
    path: "/api/presence/news",
  }),
  ...cases(PRESENCE, "invalid_body", {
    what: "a limit that is no integer",
    path: "/api/presence/room%3A1?limit=ten",
  }),
  ...cases(
    PRESENCE,
    "invalid_data",
    { what: "a limit of 0", path: "/api/presence/room%3A1?limit=0" },
    { what: "a limit over 1000", path: "/api/presence/room%3A1?limit=1001" },
    { what: "an empty cursor", path: "/api/presence/room%3A1?cursor=" },
  ),
  ...cases(PRESENCE_COUNT, "invalid_channel", {
    what: "a bad channel name",
    path: "/api/presence/room%3A/count",
  }),
  ...cases(PRESENCE_COUNT, "presence_disabled", {
    what: "a namespace without presence",
    path: "/api/presence/news/count",
  }),

  ...cases(
    DISCONNECT,
    "invalid_body",
    { what: "no id", path: "/api/disconnect", body: {} },
    { what: "two ids", path: "/api/disconnect", body: { userId: "a", clientId: "b" } },
    { what: "a mistyped id", path: "/api/disconnect", body: { userId: 5 } },
    { what: "an unknown field", path: "/api/disconnect", body: { user: "a" } },
  ),
  ...cases(DISCONNECT, "invalid_data", {
    what: "a bad id",
    path: "/api/disconnect",
    body: { userId: "a b" },
  }),

  ...jobCases(
    "create",
    "invalid_body",
    { what: "a mistyped visibility", path: "/api/jobs", body: { visibility: 5 } },
    { what: "a mistyped owner", path: "/api/jobs", body: { owner: "alice" } },
    { what: "a mistyped owner id", path: "/api/jobs", body: { owner: { userId: 5 } } },
    { what: "a mistyped queued", path: "/api/jobs", body: { queued: "yes" } },
    { what: "an unknown field", path: "/api/jobs", body: { name: "x" } },
  ),
  ...jobCases(
    "create",
    "invalid_data",
    { what: "a bad id", path: "/api/jobs", body: { id: "a b" } },
    { what: "a bad owner id", path: "/api/jobs", body: { owner: { userId: "a b" } } },
    { what: "an unknown visibility", path: "/api/jobs", body: { visibility: "public" } },
  ),
  ...jobCases("create", "job_exists", {
    what: "a taken id",
    path: "/api/jobs",
    body: { id: "run" },
  }),
  ...jobCases(
    "list",
    "invalid_body",
    { what: "neither id", path: "/api/jobs" },
    { what: "both ids", path: "/api/jobs?userId=a&sessionId=b" },
  ),
  ...jobCases("list", "invalid_data", { what: "a bad id", path: "/api/jobs?userId=a%20b" }),
  ...jobCases(
    "get",
    "job_not_found",
    { what: "an unknown id", path: "/api/jobs/nope" },
    { what: "an id that cannot be one", path: "/api/jobs/a%20b" },
  ),

  ...REPORTS.flatMap((word) => [
    ...jobCases(word, "job_not_found", {
      what: "an unknown id",
      path: reportPath(word, "nope"),
      body: VALID_REPORT[word],
    }),
    ...jobCases(word, "job_finished", {
      what: "a finished job",
      path: reportPath(word, "done"),
      body: VALID_REPORT[word],
    }),
    ...jobCases(word, "invalid_body", {
      what: "an unknown field",
      path: reportPath(word, "run"),
      body: { ...(VALID_REPORT[word] as object), extra: 1 },
    }),
  ]),
  ...jobCases(
    "progress",
    "invalid_body",
    { what: "no percent", path: "/api/jobs/run/progress", body: {} },
    { what: "a string percent", path: "/api/jobs/run/progress", body: { percent: "60" } },
    { what: "a mistyped step", path: "/api/jobs/run/progress", body: { percent: 60, step: 5 } },
    { what: "a mistyped eta", path: "/api/jobs/run/progress", body: { percent: 60, eta: "1s" } },
  ),
  ...jobCases(
    "progress",
    "invalid_progress",
    { what: "a percent over 100", path: "/api/jobs/run/progress", body: { percent: 150 } },
    { what: "a percent going back", path: "/api/jobs/run/progress", body: { percent: 40 } },
    {
      what: "a step of 201 characters",
      path: "/api/jobs/run/progress",
      body: { percent: 60, step: LONG(201) },
    },
    { what: "a negative eta", path: "/api/jobs/run/progress", body: { percent: 60, eta: -1 } },
  ),
  ...jobCases(
    "chunk",
    "invalid_body",
    { what: "no index", path: "/api/jobs/run/chunk", body: { data: 1 } },
    { what: "a string index", path: "/api/jobs/run/chunk", body: { index: "1" } },
    { what: "a string total", path: "/api/jobs/run/chunk", body: { index: 1, total: "3" } },
  ),
  ...jobCases(
    "chunk",
    "invalid_chunk",
    { what: "a negative index", path: "/api/jobs/run/chunk", body: { index: -1 } },
    { what: "an index past the total", path: "/api/jobs/run/chunk", body: { index: 5 } },
    { what: "another total", path: "/api/jobs/run/chunk", body: { index: 1, total: 4 } },
  ),
  ...jobCases("chunk", "duplicate_chunk", {
    what: "an index already received",
    path: "/api/jobs/run/chunk",
    body: { index: 0, data: "again" },
  }),
  ...jobCases("chunk", "message_too_large", {
    what: "a chunk over maxChunkBytes",
    path: "/api/jobs/run/chunk",
    body: { index: 1, data: LONG(200) },
  }),
  ...jobCases(
    "validation",
    "invalid_body",
    { what: "no reason", path: "/api/jobs/run/validation", body: { confidence: 0.5 } },
    {
      what: "mistyped actions",
      path: "/api/jobs/run/validation",
      body: { reason: "r", suggestedActions: "redo" },
    },
    {
      what: "a mistyped confidence",
      path: "/api/jobs/run/validation",
      body: { reason: "r", confidence: "high" },
    },
  ),
  ...jobCases(
    "validation",
    "invalid_data",
    { what: "an empty reason", path: "/api/jobs/run/validation", body: { reason: "" } },
    {
      what: "a confidence over 1",
      path: "/api/jobs/run/validation",
      body: { reason: "r", confidence: 2 },
    },
    {
      what: "a reason of 2001 characters",
      path: "/api/jobs/run/validation",
      body: { reason: LONG(2001) },
    },
  ),
  ...jobCases(
    "fail",
    "invalid_body",
    { what: "no message", path: "/api/jobs/run/fail", body: {} },
    {
      what: "a mistyped retryable",
      path: "/api/jobs/run/fail",
      body: { message: "m", retryable: "yes" },
    },
  ),
  ...jobCases(
    "fail",
    "invalid_data",
    {
      what: "a message of 2001 characters",
      path: "/api/jobs/run/fail",
      body: { message: LONG(2001) },
    },
    {
      what: "a code of 129 characters",
      path: "/api/jobs/run/fail",
      body: { message: "m", code: LONG(129) },
    },
  ),
  ...jobCases("cancelled", "invalid_data", {
    what: "a reason of 501 characters",
    path: "/api/jobs/run/cancelled",
    body: { reason: LONG(501) },
  }),
  ...jobCases("cancel", "job_not_found", { what: "an unknown id", path: "/api/jobs/nope/cancel" }),
  ...jobCases("cancel", "job_finished", { what: "a finished job", path: "/api/jobs/done/cancel" }),
  ...jobCases(
    "cancel",
    "invalid_body",
    { what: "a mistyped reason", path: "/api/jobs/run/cancel", body: { reason: 5 } },
    { what: "an unknown field", path: "/api/jobs/run/cancel", body: { why: "x" } },
  ),
  ...jobCases("cancel", "invalid_data", {
    what: "a reason of 501 characters",
    path: "/api/jobs/run/cancel",
    body: { reason: LONG(501) },
  }),
  ...["get", "write", "reload"].flatMap((word) =>
    stateCases(word, "state_not_found", {
      what: "an undeclared document",
      path: "/api/state/nowhere",
      ...(word === "get" ? {} : { body: word === "reload" ? { values: {} } : {} }),
    }),
  ),
  ...stateCases("preset", "state_not_found", {
    what: "an undeclared document",
    path: "/api/state/nowhere/presets/calm",
  }),
  ...stateCases(
    "write",
    "invalid_body",
    { what: "an unknown field", path: "/api/state/settings", body: { put: {} } },
    { what: "a mistyped set", path: "/api/state/settings", body: { set: [1] } },
    { what: "a mistyped delete", path: "/api/state/settings", body: { delete: "notes" } },
    { what: "a negative ifVersion", path: "/api/state/settings", body: { ifVersion: -1 } },
  ),
  ...stateCases("write", "state_unknown_key", {
    what: "an undeclared key",
    path: "/api/state/settings",
    body: { set: { colour: "red" } },
  }),
  ...stateCases("write", "state_invalid_value", {
    what: "a value its schema refuses",
    path: "/api/state/settings",
    body: { set: { "physics.damping": 3 } },
  }),
  ...stateCases("write", "state_conflict", {
    what: "a key changed after ifVersion",
    path: "/api/state/settings",
    body: { set: { "physics.damping": 0.2 }, ifVersion: 0 },
  }),
  ...stateCases("write", "state_too_large", {
    what: "a value over maxValueBytes",
    path: "/api/state/settings",
    body: { set: { notes: LONG(100) } },
  }),
  ...stateCases(
    "reload",
    "invalid_body",
    { what: "no values", path: "/api/state/settings", body: { reason: "r" } },
    { what: "a mistyped reason", path: "/api/state/settings", body: { values: {}, reason: 1 } },
  ),
  ...stateCases("reload", "state_unknown_key", {
    what: "an undeclared key",
    path: "/api/state/settings",
    body: { values: { colour: "red" } },
  }),
  ...stateCases("reload", "state_invalid_value", {
    what: "a value its schema refuses",
    path: "/api/state/settings",
    body: { values: { "physics.damping": "high" } },
  }),
  ...stateCases("reload", "state_too_large", {
    what: "a value over maxValueBytes",
    path: "/api/state/settings",
    body: { values: { notes: LONG(100) } },
  }),
  ...stateCases("preset", "invalid_body", {
    what: "an unknown field",
    path: "/api/state/settings/presets/calm",
    body: { force: true },
  }),
  ...stateCases("preset", "state_unknown_preset", {
    what: "an undeclared preset",
    path: "/api/state/settings/presets/stormy",
  }),
  ...stateCases("preset", "state_invalid_value", {
    what: "a preset its schemas refuse",
    path: "/api/state/settings/presets/broken",
  }),
  ...stateCases("preset", "state_conflict", {
    what: "a key changed after ifVersion",
    path: "/api/state/settings/presets/calm",
    body: { ifVersion: 0 },
  }),
];

/** Cases of the codes that any route may answer, each on one route. */
export const ANY_ROUTE_CASES: readonly HttpErrorCase[] = [
  ...cases("GET /api/nowhere" as Route, "not_found", {
    what: "no such route",
    path: "/api/nowhere",
  }),
  ...cases(PUBLISH, "broker_unavailable", {
    what: "Redis unreachable",
    path: "/api/publish",
    body: { channel: "news", event: "e" },
    api: "brokerDown",
  }),
  ...cases(DISCONNECT, "internal_error", {
    what: "an unexpected failure",
    path: "/api/disconnect",
    body: { userId: "a" },
    api: "failing",
  }),
];

/** The largest request body of the fixture's APIs (small, so a test can exceed it cheaply). */
export const MAX_BODY_BYTES = 8192;

/** A broker whose Redis is unreachable: every call that needs it fails as the Redis one does. */
function unreachableBroker(): Broker {
  const broker = createMemoryBroker();
  const down = () => Promise.reject(new SwitchyardError("broker_unavailable"));
  return {
    start: (deliver, hooks) => broker.start(deliver, hooks),
    publish: down,
    subscribe: down,
    unsubscribe: down,
    position: down,
    recover: down,
    history: down,
    kv: broker.kv,
    presence: { set: down, remove: down, count: down, page: down, expire: down },
    ready: () => false,
    close: () => broker.close(),
  };
}

function hubForErrors(broker?: Broker): Hub {
  return createHub({
    ...(broker === undefined ? {} : { broker }),
    namespaces: {
      "": { history: { size: 10 } },
      live: { history: false },
      score: { events: { goal: z.object({ minute: z.number() }) } },
    },
    defaultNamespace: null,
    jobs: { maxChunkBytes: 64 },
    state: {
      documents: {
        settings: {
          keys: {
            "physics.damping": { schema: z.number().min(0).max(1), default: 0.5 },
            notes: z.string(),
          },
          presets: { calm: { "physics.damping": 0.9 }, broken: { "physics.damping": 9 } },
          maxValueBytes: 64,
        },
      },
    },
    presence: { namespaces: { room: true } },
  });
}

export interface ErrorFixture {
  /** The HTTP API of each kind, over hubs holding the jobs `run` (at 50 %, chunk 0 of 3) and `done`. */
  apis: Record<ApiName, Hono>;
  /** Sends the request of `errorCase` (with the API key unless it has headers of its own). */
  answer(
    errorCase: Pick<HttpErrorCase, "path" | "body" | "headers" | "api">,
    method: string,
  ): Promise<{ status: number; code: unknown }>;
  close(): Promise<void>;
}

/** The hubs and APIs the cases run against. */
export async function errorFixture(): Promise<ErrorFixture> {
  const hub = hubForErrors();
  const brokenHub = hubForErrors(unreachableBroker());
  await Promise.all([hub.whenStarted(), brokenHub.whenStarted()]);
  const done = await hub.jobs.create({ id: "done" });
  await done.complete("ok");
  const run = await hub.jobs.create({ id: "run" });
  await run.progress(50);
  await run.chunk("first", { index: 0, total: 3 });
  await hub.state("settings").set("physics.damping", 0.4);
  const options = { apiKey: API_KEY, maxBodyBytes: MAX_BODY_BYTES };
  const apis: Record<ApiName, Hono> = {
    usual: createHttpApi(hub, options),
    brokerDown: createHttpApi(brokenHub, options),
    failing: createHttpApi(hub, {
      ...options,
      disconnect: () => Promise.reject(new Error("a bug")),
    }),
  };
  return {
    apis,
    async answer(errorCase, method) {
      const init: RequestInit = { method, headers: errorCase.headers ?? AUTH };
      if (errorCase.body !== undefined) {
        init.body =
          typeof errorCase.body === "string" ? errorCase.body : JSON.stringify(errorCase.body);
      }
      const response = await apis[errorCase.api ?? "usual"].request(errorCase.path, init);
      const json = (await response.json()) as { error?: { code?: unknown } };
      return { status: response.status, code: json.error?.code };
    },
    async close() {
      await Promise.all([hub.close({ timeout: 0 }), brokenHub.close({ timeout: 0 })]);
    },
  };
}
