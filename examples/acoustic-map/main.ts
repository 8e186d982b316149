/**
 * `npm start`: starts the acoustic hub on a free port and runs the terminal client against
 * it. `npm run serve` only starts the hub (PORT, default 7071); `npm run client -- <url>` only
 * runs the client against a hub that is already running.
 */
import { runAcousticClient } from "./client.js";
import { startAcousticServer } from "./server.js";

const [mode, target] = process.argv.slice(2);

if (mode === "--serve") {
  const server = await startAcousticServer({ port: Number(process.env.PORT ?? 7071) });
  process.stdout.write(`Acoustic hub listening on ${server.url} (Ctrl-C stops it)\n`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
} else if (mode === "--connect") {
  const url = target || `ws://127.0.0.1:${process.env.PORT ?? 7071}/ws`;
  await runAcousticClient({ url, output: process.stdout });
} else {
  const server = await startAcousticServer({ port: Number(process.env.PORT ?? 0) });
  process.stdout.write(`Acoustic hub on ${server.url}\n\n`);
  try {
    await runAcousticClient({ url: server.url, output: process.stdout });
  } finally {
    await server.close();
  }
}
