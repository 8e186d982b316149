/**
 * The layer rules of docs/architecture.md, checked in CI (`npm run lint:layers`): a wrong
 * arrow fails the build rather than a review.
 *
 * Packages: protocol ← server, client ← redis ← cli; client ← react. Inside the server package:
 * transport, broker ← core (with its auth/ and limits/) ← http ← features ← create-hub.ts.
 */
const SERVER = "^packages/server/src/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "No file imports itself back, not even through types.",
      from: { path: "^packages/" },
      to: { circular: true },
    },
    {
      name: "protocol-imports-nothing-of-ours",
      severity: "error",
      comment: "The wire protocol is the bottom: server and client both build on it.",
      from: { path: "^packages/protocol/src/" },
      to: { path: "^packages/(server|client|redis|cli|react)/" },
    },
    {
      name: "client-knows-no-server",
      severity: "error",
      comment: "The SDK runs in browsers: it speaks the protocol, never imports the hub.",
      from: { path: "^packages/client/src/" },
      to: { path: "^packages/(server|redis|cli)/" },
    },
    {
      name: "react-knows-no-server",
      severity: "error",
      comment: "The React bindings adapt the SDK's stores in the browser: no hub, Redis or CLI.",
      from: { path: "^packages/react/src/" },
      to: { path: "^packages/(server|redis|cli)/" },
    },
    {
      name: "libraries-know-no-react",
      severity: "error",
      comment: "React is an optional layer above the SDK: nothing below imports it.",
      from: { path: "^packages/(protocol|server|client|redis|cli)/src/" },
      to: { path: "^packages/react/|node_modules/react(-dom)?/" },
    },
    {
      name: "libraries-know-no-cli",
      severity: "error",
      from: { path: "^packages/(protocol|server|client|redis|react)/src/" },
      to: { path: "^packages/cli/" },
    },
    {
      name: "server-knows-no-redis",
      severity: "error",
      comment:
        "The Redis broker is a package above the server; the core never knows which broker it has.",
      from: { path: "^packages/server/src/" },
      to: { path: "^packages/redis/" },
    },
    {
      name: "transport-knows-no-core",
      severity: "error",
      comment: "Transports accept sockets and own WebSocket framing; the core is above them.",
      from: { path: `${SERVER}transport/` },
      to: { path: `${SERVER}(core|features|http|broker|testing)/|${SERVER}create-hub` },
    },
    {
      name: "broker-knows-no-hub",
      severity: "error",
      from: { path: `${SERVER}broker/` },
      to: { path: `${SERVER}(core|features|http|transport)/|${SERVER}create-hub` },
    },
    {
      name: "core-knows-no-feature-no-http",
      severity: "error",
      comment:
        "Features (jobs, state, presence) install themselves through hub.use; the HTTP API mounts their routes.",
      from: { path: `${SERVER}core/` },
      to: { path: `${SERVER}(features|http|testing)/|${SERVER}create-hub` },
    },
    {
      name: "core-knows-no-implementation",
      severity: "error",
      comment:
        "The core sees the Broker and Transport interfaces; createHub picks the implementations.",
      from: { path: `${SERVER}core/` },
      to: {
        path: [
          `${SERVER}broker/(memory-broker|stream|dedup)\\.ts$`,
          `${SERVER}transport/(builtin-|ws-|lazy-)`,
        ],
      },
    },
    {
      name: "http-knows-no-feature",
      severity: "error",
      comment: "The HTTP API mounts what features registered, without importing them.",
      from: { path: `${SERVER}http/` },
      to: { path: `${SERVER}(features|testing)/|${SERVER}create-hub` },
    },
    {
      name: "features-know-no-composition",
      severity: "error",
      from: { path: `${SERVER}features/` },
      to: {
        path: `${SERVER}create-hub|${SERVER}transport/(builtin-|ws-|lazy-)|${SERVER}broker/memory-broker`,
      },
    },
    {
      name: "features-know-each-other-not",
      severity: "error",
      comment: "A feature builds on the hub's public seam, not on another feature's files.",
      from: { path: `${SERVER}features/([^/]+)/` },
      to: { path: `${SERVER}features/`, pathNot: `${SERVER}features/$1/` },
    },
    {
      name: "ws-only-in-its-transport",
      severity: "error",
      comment: "`ws` is an optional peer dependency, loaded only by hubs that run on it.",
      from: { path: SERVER, pathNot: `${SERVER}transport/ws-transport\\.ts$` },
      to: { path: "node_modules/ws/" },
    },
    {
      name: "ws-transport-loaded-on-demand",
      severity: "error",
      comment: "Only its subpath entry imports it statically; createHub imports it dynamically.",
      from: { path: SERVER, pathNot: `${SERVER}(ws|create-hub)\\.ts$` },
      to: { path: `${SERVER}transport/ws-transport\\.ts$` },
    },
    {
      name: "create-hub-imports-ws-transport-lazily",
      severity: "error",
      from: { path: `${SERVER}create-hub\\.ts$` },
      to: { path: `${SERVER}transport/ws-transport\\.ts$`, dependencyTypesNot: ["dynamic-import"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|test)/|\\.test\\.tsx?$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["@switchyard/source", "import", "types", "default"],
      extensions: [".ts", ".tsx", ".js", ".mjs"],
    },
  },
};
