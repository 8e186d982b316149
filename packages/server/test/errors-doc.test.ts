import { readFileSync } from "node:fs";
import {
  CLOSE_RANGES,
  type CloseAction,
  closeActionOf,
  closeCodeOf,
  ERROR_CODES,
  ERRORS,
  type ErrorSpec,
  isErrorCode,
} from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ANY_ROUTE_CASES,
  type ErrorFixture,
  errorFixture,
  JOB_ROUTES,
  MAX_BODY_BYTES,
  ROUTE_CASES,
  type Route,
  STATE_ROUTES,
} from "./helpers/http-error-cases.js";
import { sections, type Table, tablesWithHeader } from "./helpers/markdown.js";

// docs/errors.md must document every error code exactly as the code table defines it.
const doc = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

const NONE = "—";

function tableWithHeader(header: string[]): Table {
  const matches = tablesWithHeader(doc, header);
  expect(matches, `exactly one table headed | ${header.join(" | ")} |`).toHaveLength(1);
  return matches[0] as Table;
}

const errorTable = tableWithHeader([
  "code",
  "HTTP status",
  "close code",
  "client action",
  "when it happens",
]);

describe("docs/errors.md", () => {
  it("has well-formed rows", () => {
    for (const row of errorTable.rows) expect(row, row.join(" | ")).toHaveLength(5);
  });

  it("documents every error code exactly once", () => {
    const documented = errorTable.rows.map((row) => row[0]);
    const missing = ERROR_CODES.filter((code) => !documented.includes(code));
    expect(missing, "codes missing from docs/errors.md").toEqual([]);
    const duplicated = documented.filter((code, index) => documented.indexOf(code) !== index);
    expect(duplicated, "codes listed twice").toEqual([]);
  });

  it("lists no code that does not exist", () => {
    const unknown = errorTable.rows.map((row) => row[0]).filter((code) => !isErrorCode(code));
    expect(unknown, "codes in docs/errors.md but not in ERRORS").toEqual([]);
  });

  it("gives each code its HTTP status, close code and client action", () => {
    for (const [code, status, close, action] of errorTable.rows) {
      if (!isErrorCode(code)) continue;
      const closeCode = closeCodeOf(code);
      expect({ code, status, close, action }).toEqual({
        code,
        status: String((ERRORS[code] as ErrorSpec).status ?? NONE),
        close: closeCode === undefined ? NONE : String(closeCode),
        action: closeCode === undefined ? NONE : closeActionOf(closeCode),
      });
    }
  });

  it("says specifically when each code happens", () => {
    for (const [code, , , , when] of errorTable.rows) {
      expect(when?.length ?? 0, `description of ${code}`).toBeGreaterThan(40);
      if (isErrorCode(code)) expect(when).not.toBe(ERRORS[code].message);
    }
  });

  it("describes the close-code classes as the code defines them", () => {
    const classes = tableWithHeader(["close codes", "class", "what the client does"]);
    const seen = new Set<CloseAction>();
    for (const [range, action] of classes.rows) {
      const bounds = /^(\d{4})–(\d{4})$/.exec(range ?? "");
      if (!bounds) continue;
      const [low, high] = [Number(bounds[1]), Number(bounds[2])];
      expect(action).toBe(closeActionOf(low));
      expect(action).toBe(closeActionOf(high));
      seen.add(action as CloseAction);
      const declared = CLOSE_RANGES[action as CloseAction];
      if (declared[0] === low) expect(declared[1]).toBe(high);
    }
    expect([...seen].sort()).toEqual(Object.keys(CLOSE_RANGES).sort());
  });

  it("documents the standard close codes the server uses", () => {
    const standard = tableWithHeader(["close code", "name", "client action", "when it happens"]);
    const codes = standard.rows.map((row) => Number(row[0]));
    expect(codes).toEqual(expect.arrayContaining([1000, 1001, 1006, 1009]));
    for (const [close, , action] of standard.rows) {
      expect(action, `action of ${close}`).toBe(closeActionOf(Number(close)));
    }
  });
});

// docs/http-api.md and docs/jobs.md list, route by route, the codes the HTTP API answers: each
// listed code is answered for some request, and each request of the cases is listed.
const httpDoc = readFileSync(new URL("../../../docs/http-api.md", import.meta.url), "utf8");
const jobsDoc = readFileSync(new URL("../../../docs/jobs.md", import.meta.url), "utf8");
const stateDoc = readFileSync(new URL("../../../docs/state.md", import.meta.url), "utf8");

const STATUS_CODE_WHEN = ["status", "code", "when"];

/** What the docs say: the codes any route may answer, and each route's own, with statuses. */
interface Documented {
  anyRoute: Map<string, number>;
  byRoute: Map<Route, Map<string, number>>;
}

function documented(): Documented {
  const anyRoute = new Map<string, number>();
  const byRoute = new Map<Route, Map<string, number>>();
  for (const [heading, text] of sections(httpDoc)) {
    const found = tablesWithHeader(text, STATUS_CODE_WHEN);
    if (heading === "Errors") {
      expect(found, "one table of the codes of every route").toHaveLength(1);
      for (const [status, code] of found[0]?.rows ?? []) anyRoute.set(code ?? "", Number(status));
    } else if (/^(GET|POST) \/api\//.test(heading)) {
      expect(found.length, `at most one error table under ${heading}`).toBeLessThanOrEqual(1);
      const codes = new Map<string, number>();
      for (const [status, code] of found[0]?.rows ?? []) codes.set(code ?? "", Number(status));
      byRoute.set(heading as Route, codes);
    }
  }
  const jobErrors = tablesWithHeader(sections(jobsDoc).get("Errors") ?? "", [
    "code",
    "HTTP",
    "routes",
    "when",
  ]);
  expect(jobErrors, "one error table in docs/jobs.md").toHaveLength(1);
  for (const route of Object.values(JOB_ROUTES)) byRoute.set(route, new Map());
  for (const [code, status, routes] of jobErrors[0]?.rows ?? []) {
    if (routes === "—") continue;
    for (const word of (routes ?? "").split(",").map((item) => item.trim())) {
      const route = JOB_ROUTES[word];
      expect(route, `a job route named '${word}' (${code})`).toBeDefined();
      byRoute.get(route as Route)?.set(code ?? "", Number(status));
    }
  }
  const stateErrors = tablesWithHeader(sections(stateDoc).get("Errors") ?? "", [
    "code",
    "HTTP",
    "routes",
    "when",
  ]);
  expect(stateErrors, "one error table in docs/state.md").toHaveLength(1);
  for (const route of Object.values(STATE_ROUTES)) byRoute.set(route, new Map());
  for (const [code, status, routes] of stateErrors[0]?.rows ?? []) {
    if (routes === "—") continue;
    for (const word of (routes ?? "").split(",").map((item) => item.trim())) {
      const route = STATE_ROUTES[word];
      expect(route, `a state route named '${word}' (${code})`).toBeDefined();
      byRoute.get(route as Route)?.set(code ?? "", Number(status));
    }
  }
  return { anyRoute, byRoute };
}

/** The route's path with its parameters filled in. */
function concrete(route: Route): { method: string; path: string } {
  const [method = "", path = ""] = route.split(" ");
  return {
    method,
    path: path
      .replace("{channel}", "news")
      .replace("{id}", "run")
      .replace("{name}", "settings")
      .replace("{preset}", "calm"),
  };
}

describe("the error tables of docs/http-api.md, docs/jobs.md and docs/state.md", () => {
  let fixture: ErrorFixture;
  beforeAll(async () => {
    fixture = await errorFixture();
  });
  afterAll(() => fixture.close());

  it("give each code the HTTP status of the code table", () => {
    const { anyRoute, byRoute } = documented();
    const all = [...anyRoute, ...[...byRoute.values()].flatMap((codes) => [...codes])];
    for (const [code, status] of all) {
      expect(isErrorCode(code), code).toBe(true);
      if (isErrorCode(code)) expect(status, code).toBe((ERRORS[code] as ErrorSpec).status);
    }
  });

  it("cover every route of the API", () => {
    const routes = fixture.apis.usual.routes
      .filter((route) => route.method !== "ALL" && route.path !== "/api/openapi.json")
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
    expect([...documented().byRoute.keys()].sort()).toEqual([...new Set(routes)].sort());
  });

  it("list exactly the codes each route answers, beyond those of every route", async () => {
    const { byRoute } = documented();
    // Every disagreement at once: `${route}, ${what}: documented …, answered …`.
    const disagreements: string[] = [];
    for (const errorCase of ROUTE_CASES) {
      const { route, code, what } = errorCase;
      const status = byRoute.get(route)?.get(code);
      const answer = await fixture.answer(errorCase, concrete(route).method);
      if (status === undefined || answer.status !== status || answer.code !== code) {
        disagreements.push(
          `${route}, ${what}: documented ${status ?? "nothing"} ${code}, ` +
            `answered ${answer.status} ${String(answer.code)}`,
        );
      }
    }
    for (const [route, codes] of byRoute) {
      for (const code of codes.keys()) {
        if (!ROUTE_CASES.some((c) => c.route === route && c.code === code)) {
          disagreements.push(`${route}: documents ${code}, and no case makes it answer it`);
        }
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("list the codes every route may answer, each answered where it applies", async () => {
    const { anyRoute, byRoute } = documented();
    const answered = new Set<string>();
    const expectAnswer = (code: string, answer: { status: number; code: unknown }, at: string) => {
      expect(answer, `${code} on ${at}`).toEqual({ status: anyRoute.get(code), code });
      answered.add(code);
    };
    for (const route of byRoute.keys()) {
      const { method, path } = concrete(route);
      expectAnswer("api_key_required", await fixture.answer({ path, headers: {} }, method), route);
      const wrongKey = { path, headers: { authorization: "Bearer wrong" } };
      expectAnswer("api_key_invalid", await fixture.answer(wrongKey, method), route);
      if (method === "GET") continue;
      expectAnswer(
        "invalid_body",
        await fixture.answer({ path, body: "{not json" }, method),
        route,
      );
      const large = { path, body: JSON.stringify({ data: "x".repeat(MAX_BODY_BYTES) }) };
      expectAnswer("message_too_large", await fixture.answer(large, method), route);
    }
    for (const errorCase of ANY_ROUTE_CASES) {
      const { method } = concrete(errorCase.route);
      expectAnswer(errorCase.code, await fixture.answer(errorCase, method), errorCase.what);
    }
    expect([...answered].sort()).toEqual([...anyRoute.keys()].sort());
  });

  it("agree with the statuses the OpenAPI document declares for each route", async () => {
    const response = await fixture.apis.usual.request("/api/openapi.json");
    const openapi = (await response.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    for (const [route, codes] of documented().byRoute) {
      const [method = "", path = ""] = route.split(" ");
      const declared = Object.keys(openapi.paths[path]?.[method.toLowerCase()]?.responses ?? {});
      for (const [code, status] of codes) {
        expect(declared, `${route} declares ${status} (${code})`).toContain(String(status));
      }
    }
  });
});
