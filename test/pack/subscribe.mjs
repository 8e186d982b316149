// With the installed client SDK: subscribes to `news` on the hub at argv[2], publishes one
// event through the hub's HTTP API at argv[3] (key argv[4]) once subscribed, prints the event
// it receives as JSON and exits.
import { createClient } from "@switchyard/client";

const [url, api, apiKey] = process.argv.slice(2);
const client = createClient({ url });

const fail = (error) => {
  console.error(error);
  process.exit(1);
};

const subscription = client.subscribe("news", {
  onEvent: (event) => {
    console.log(JSON.stringify(event));
    client.close();
  },
  onError: fail,
});

const stop = subscription.state.subscribe(() => {
  if (subscription.state.getSnapshot().status !== "subscribed") return;
  stop();
  fetch(`${api}/publish`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: "news", event: "hello", data: { n: 1 } }),
  }).then(async (response) => {
    if (!response.ok) fail(new Error(`publish: ${response.status} ${await response.text()}`));
  }, fail);
});
