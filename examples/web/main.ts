/**
 * `npm run serve -w examples/web`: the web apps server (the launcher, every app and its hub)
 * on PORT (default 7071; 0 picks a free port). `npm start` at the root runs it beside the hub.
 * Ctrl-C stops it.
 */
import { APPS } from "./catalog.js";
import { startWebApps } from "./server.js";

const apps = await startWebApps({ port: Number(process.env.PORT ?? 7071), host: process.env.HOST });
process.stdout.write(`Example apps: ${apps.url}\n`);
for (const app of APPS) {
  const ws = apps.appUrl(app.name).replace(/^http/, "ws");
  process.stdout.write(`  ${app.name.padEnd(18)} ${apps.appUrl(app.name)}   hub ${ws}ws\n`);
}
// The end of the list, for scripts that read it (the root's `npm start`).
process.stdout.write(".\n");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void apps.close().then(() => process.exit(0)));
}
