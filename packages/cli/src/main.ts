import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import {
  ConfigError,
  type ConfigInput,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  type InspectorLink,
  linkSchema,
  loadConfigFile,
  mergeLinks,
  resolveConfig,
  type ServerConfig,
  TRANSPORTS,
} from "./config.js";
import { createLogger, LOG_LEVELS, type LogLevel } from "./logger.js";
import { type ServerHandle, startServer } from "./serve.js";

/** Exit code for a wrong command line (unknown flag, bad value). */
export const EXIT_USAGE = 2;
/** Exit code for a bad config or a server that could not start. */
export const EXIT_FAILURE = 1;
/** Milliseconds after a shutdown signal before the process exits regardless. */
export const FORCE_EXIT_MS = 10_000;

const USAGE = `Usage: switchyard serve [options]

Runs the Switchyard hub: WebSocket endpoint at /ws, HTTP API under /api, metrics, probes.

Options:
  --port <n>           Port to listen on (default 7070; 0 picks a free one)
  --host <addr>        Address to bind (default 127.0.0.1; use 0.0.0.0 for every interface)
  --api-key <key>      HTTP API key (or env SWITCHYARD_API_KEY; generated when absent)
  --allow-anonymous    Accept WebSocket connections without a token
  --config <file>      Config file, JSON or YAML; flags override it
  --redis <url>        Join a cluster: every node given the same Redis is one hub
                       (or env SWITCHYARD_REDIS_URL; docs/operations.md)
  --log-level <level>  ${LOG_LEVELS.join(", ")} (default info)
  --transport <name>   WebSocket server: ${TRANSPORTS.join(" or ")} (default builtin;
                       docs/operations.md)
  --require-api-key-for-stats
                       /stats and /metrics need the API key too (default: open)
  --max-connections-per-ip <n|off>
                       Connections one client address may hold (default
                       ${DEFAULT_MAX_CONNECTIONS_PER_IP}; 'off' behind a proxy: docs/operations.md)
  --link <label>=<url> A link in the inspector's header and the start banner, to an
                       application beside the hub (repeatable; label 1–40 characters, an
                       http(s) URL; adds to the config's "links", replacing one of that label)
  -h, --help           Show this help
  -v, --version        Print the version

Environment: SWITCHYARD_API_KEY, SWITCHYARD_REDIS_URL, and SWITCHYARD_WEBHOOK_URL,
  SWITCHYARD_WEBHOOK_SECRET (signed webhooks; the config's "webhooks": docs/webhooks.md)

Docs: docs/http-api.md (HTTP API), docs/protocol.md (WebSocket protocol),
      docs/operations.md (running a cluster), docs/webhooks.md (webhooks)
`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  "api-key": { type: "string" },
  "allow-anonymous": { type: "boolean" },
  config: { type: "string" },
  redis: { type: "string" },
  "log-level": { type: "string" },
  transport: { type: "string" },
  "max-connections-per-ip": { type: "string" },
  "require-api-key-for-stats": { type: "boolean" },
  link: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/** A command-line mistake: printed with a pointer to `--help`, exit code 2. */
class UsageError extends Error {}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']+)'/.exec(message)?.[1] ?? message;
      throw new UsageError(`unknown option '${option}'`);
    }
    throw new UsageError(message);
  }
}

function flagsOf(values: ReturnType<typeof parseCommandLine>["values"]): ConfigInput {
  const flags: ConfigInput = {};
  if (values.port !== undefined) {
    const port = /^\d+$/.test(values.port) ? Number(values.port) : Number.NaN;
    if (!(port >= 0 && port <= 65_535)) {
      throw new UsageError(`--port must be an integer 0–65535 (got '${values.port}')`);
    }
    flags.port = port;
  }
  if (values.host !== undefined) flags.host = values.host;
  if (values["api-key"] !== undefined) flags.apiKey = values["api-key"];
  if (values["allow-anonymous"] === true) flags.allowAnonymous = true;
  if (values["require-api-key-for-stats"] === true) flags.requireApiKeyForStats = true;
  if (values.redis !== undefined) flags.redis = { url: values.redis };
  const level = values["log-level"];
  if (level !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")} (got '${level}')`);
    }
    flags.logLevel = level as LogLevel;
  }
  const transport = values.transport;
  if (transport !== undefined) {
    const known = TRANSPORTS.find((name) => name === transport);
    if (known === undefined) {
      throw new UsageError(
        `--transport must be one of ${TRANSPORTS.join(", ")} (got '${transport}')`,
      );
    }
    flags.transport = known;
  }
  const perIp = values["max-connections-per-ip"];
  if (perIp !== undefined) {
    const limit = perIp === "off" ? null : /^\d+$/.test(perIp) ? Number(perIp) : 0;
    if (limit !== null && !(limit >= 1 && Number.isSafeInteger(limit))) {
      throw new UsageError(
        `--max-connections-per-ip must be a positive integer or 'off' (got '${perIp}')`,
      );
    }
    flags.limits = { maxConnectionsPerIp: limit };
  }
  if (values.link !== undefined) flags.links = mergeLinks(undefined, values.link.map(linkOf));
  return flags;
}

/** The link of one `--link <label>=<url>`; throws a {@link UsageError} naming what is wrong. */
function linkOf(text: string): InspectorLink {
  const equals = text.indexOf("=");
  if (equals < 0) throw new UsageError(`--link must be <label>=<url> (got '${text}')`);
  const result = linkSchema.safeParse({
    label: text.slice(0, equals),
    url: text.slice(equals + 1),
  });
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  throw new UsageError(`--link ${String(issue?.path[0])} ${issue?.message} (got '${text}')`);
}

/**
 * The config layer of the command line `argv` (`serve` and its flags), for `resolveConfig`;
 * throws on a wrong command line.
 */
export function serveFlags(argv: string[]): ConfigInput {
  return flagsOf(parseCommandLine(argv).values);
}

async function version(): Promise<string> {
  const text = await readFile(new URL("../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

/** A Redis URL without its user name and password, for the banner. */
function redisOrigin(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

function banner(handle: ServerHandle, config: ServerConfig): string {
  const lines = [
    "",
    "  Switchyard is running",
    `  WebSocket   ${handle.wsUrl}`,
    `  HTTP API    ${handle.url}/api   (OpenAPI: ${handle.url}/api/openapi.json)`,
    `  Inspector   ${handle.url}/`,
    `  Metrics     ${handle.url}/metrics`,
  ];
  if (config.redis !== undefined && handle.nodeId !== undefined) {
    lines.push(`  Cluster     node ${handle.nodeId} on ${redisOrigin(config.redis.url)}`);
  }
  // The applications beside the hub (--link, the config's links), aligned with the URLs above.
  for (const link of config.links ?? []) lines.push(`  ${link.label.padEnd(10)}  ${link.url}`);
  // A key the operator chose is never echoed; a generated one comes with a line to try it.
  if (config.apiKeyGenerated) {
    lines.push(
      `  API key     ${handle.apiKey}`,
      "              (generated for this run; set --api-key or SWITCHYARD_API_KEY to keep one)",
      `  Publish     curl -X POST ${handle.url}/api/publish -H "Authorization: Bearer ${handle.apiKey}" -H "content-type: application/json" -d '{"channel":"news","event":"hello","data":{"n":1}}'`,
    );
  }
  return `${lines.join("\n")}\n\n`;
}

/** Runs the server until SIGTERM or SIGINT, then shuts down; resolves with the exit code. */
async function serve(values: ReturnType<typeof parseCommandLine>["values"]): Promise<number> {
  const flags = flagsOf(values);
  const file = values.config === undefined ? undefined : await loadConfigFile(values.config);
  const config = resolveConfig({ file, flags, env: process.env });
  const logger = createLogger(config.logLevel);
  if (config.auth === undefined && !config.allowAnonymous) {
    logger.warn(
      "no auth configured and anonymous connections are off: no WebSocket client can connect " +
        "(pass --allow-anonymous or configure auth)",
    );
  }
  const handle = await startServer(config, { logger });
  // The banner goes to stderr so stdout stays one JSON log object per line.
  process.stderr.write(banner(handle, config));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(EXIT_FAILURE);
      }
      stopping = true;
      logger.info({ signal }, "signal received");
      // Bound the shutdown. The timer is unref'd: after a clean close it only fires if a stray
      // handle would keep the process alive.
      setTimeout(() => {
        logger.error({ timeoutMs: FORCE_EXIT_MS }, "shutdown took too long: forcing exit");
        process.exit(EXIT_FAILURE);
      }, FORCE_EXIT_MS).unref();
      handle.close().then(
        () => {
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "shutdown failed");
          resolve(EXIT_FAILURE);
        },
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/**
 * The `switchyard` command line. Resolves with the process exit code: 0 after a clean
 * shutdown, 1 for a bad config or a failed start, 2 for a wrong command line.
 *
 * @example
 * // bin/switchyard.js
 * main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseCommandLine(argv);
    if (values.version) {
      process.stdout.write(`${await version()}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === "help") {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command === undefined) throw new UsageError("a command is required");
    if (command !== "serve") throw new UsageError(`unknown command '${command}'`);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    return await serve(values);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`switchyard: ${error.message}\nRun 'switchyard serve --help'.\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`switchyard: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`switchyard: cannot start: ${message}\n`);
    return EXIT_FAILURE;
  }
}
