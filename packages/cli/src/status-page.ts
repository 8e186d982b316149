/**
 * The page served at `GET /` until the web inspector lands: the node's live figures from
 * `/stats`, refreshed every second, and links to the API description and the probes.
 * It is static HTML with a few lines of script and loads nothing from elsewhere.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; color: #1d2330; }
  h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid #dde1e8; }
  td { font-variant-numeric: tabular-nums; }
  code { background: #f1f3f7; padding: 0.1rem 0.3rem; border-radius: 3px; }
  #state { color: #5b6475; }
  #state.down { color: #b42318; }
</style>
</head>
<body>
<h1>Switchyard</h1>
<p id="state">Loading figures from <code>/stats</code>…</p>
<table>
  <tbody>
    <tr><th>Connections</th><td id="connections">–</td></tr>
    <tr><th>Channels</th><td id="channels">–</td></tr>
    <tr><th>Subscriptions</th><td id="subscriptions">–</td></tr>
    <tr><th>Messages in</th><td id="messagesIn">–</td></tr>
    <tr><th>Messages out</th><td id="messagesOut">–</td></tr>
    <tr><th>Published events</th><td id="published">–</td></tr>
    <tr><th>Queued bytes</th><td id="queuedBytes">–</td></tr>
    <tr><th>Uptime</th><td id="uptime">–</td></tr>
  </tbody>
</table>
<p>
  WebSocket endpoint: <code id="ws"></code><br>
  HTTP API: <a href="api/openapi.json">OpenAPI description</a> (see <code>docs/http-api.md</code>) ·
  <a href="metrics">Prometheus metrics</a> ·
  <a href="stats">stats (JSON)</a> ·
  <a href="healthz">healthz</a> · <a href="readyz">readyz</a>
</p>
<script>
  const ws = new URL("ws", location.href);
  ws.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  document.getElementById("ws").textContent = ws.href;
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  const rate = (figure) => figure.total + " total, " + figure.perSecond.toFixed(1) + "/s";
  async function refresh() {
    const state = document.getElementById("state");
    try {
      const response = await fetch("stats", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const stats = await response.json();
      set("connections", stats.connections);
      set("channels", stats.channels);
      set("subscriptions", stats.subscriptions);
      set("messagesIn", rate(stats.messagesIn));
      set("messagesOut", rate(stats.messagesOut));
      set("published", rate(stats.published));
      set("queuedBytes", stats.queuedBytes);
      set("uptime", Math.round(stats.uptimeSeconds) + " s");
      state.textContent = "Live figures of this node, updated every second.";
      state.className = "";
    } catch (error) {
      state.textContent = "The server does not answer (" + error.message + ").";
      state.className = "down";
    }
  }
  refresh();
  setInterval(refresh, 1000);
</script>
</body>
</html>
`;
