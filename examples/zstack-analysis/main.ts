/**
 * One command for the example:
 *
 * ```sh
 * npm start -w examples/zstack-analysis                    # a hub and one analysis, in this terminal
 * npm start -w examples/zstack-analysis -- --noise 0.3     # a noisy stack: the job asks for review
 * npm run serve -w examples/zstack-analysis                # only the hub (ws://127.0.0.1:7072/ws)
 * npm run client -w examples/zstack-analysis -- ws://127.0.0.1:7072/ws   # a client of that hub
 * ```
 *
 * Analysis options: `--size 64x64x32`, `--blobs 8`, `--noise 0.1`, `--sigma 1`, `--seed 7`,
 * `--min-voxels 10`, `--slice-delay 15` (ms per slice, so the progress can be watched).
 * Ctrl-C during an analysis cancels its job; a second Ctrl-C quits.
 */
import { parseArgs } from "node:util";
import { SwitchyardError } from "@switchyard/client";
import { runTerminalClient } from "./client.js";
import type { AnalysisStartInput } from "./schemas.js";
import { startZstackHub } from "./server.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    serve: { type: "boolean", default: false },
    url: { type: "boolean", default: false },
    port: { type: "string" },
    size: { type: "string" },
    blobs: { type: "string" },
    noise: { type: "string" },
    sigma: { type: "string" },
    seed: { type: "string" },
    "min-voxels": { type: "string" },
    "slice-delay": { type: "string", default: "15" },
  },
});

/** The analysis input from the options (the hub checks the values). */
function input(): AnalysisStartInput {
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const [width, height, depth] = (values.size ?? "").split("x").map(Number);
  const fields: AnalysisStartInput = {
    width: values.size ? width : undefined,
    height: values.size ? height : undefined,
    depth: values.size ? depth : undefined,
    blobs: number(values.blobs),
    noise: number(values.noise),
    sigma: number(values.sigma),
    seed: number(values.seed),
    minVoxels: number(values["min-voxels"]),
    sliceDelayMs: number(values["slice-delay"]),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

async function analyseIn(url: string): Promise<void> {
  const cancel = new AbortController();
  const onSigint = () => {
    if (cancel.signal.aborted) process.exit(130);
    cancel.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    await runTerminalClient({ url, input: input(), output: process.stdout, signal: cancel.signal });
  } catch (error) {
    if (error instanceof SwitchyardError && error.code === "invalid_data") {
      console.error(`The hub refused the parameters: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

const port = values.port === undefined ? undefined : Number(values.port);
if (values.url) {
  await analyseIn(positionals[0] ?? "ws://127.0.0.1:7072/ws");
} else if (values.serve) {
  const hub = await startZstackHub({ port: port ?? 7072 });
  console.log(`z-stack analysis hub on ${hub.url} (system status on system:status every 5 s)`);
  process.once("SIGINT", () => void hub.close());
} else {
  const hub = await startZstackHub({ port: port ?? 0 });
  try {
    await analyseIn(hub.url);
  } finally {
    await hub.close();
  }
}
