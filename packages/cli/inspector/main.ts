/**
 * The Switchyard inspector, served by `switchyard serve` at `/`: the node's live figures
 * (`/stats`), its channels (`/api/channels`, with the API key), and a console built on the
 * client SDK — the same bundle the hub serves at `/sdk/switchyard-client.js` — to connect,
 * subscribe, publish, call RPCs and watch events arrive.
 */
import { startActions } from "./actions.js";
import { startChannels } from "./channels.js";
import { startConnectionPanel } from "./connection-panel.js";
import { byId } from "./dom.js";
import { EventLog } from "./event-log.js";
import { startFigures } from "./figures.js";

const log = new EventLog(
  byId("log", HTMLOListElement),
  byId("log-scroller", HTMLElement),
  byId("log-count", HTMLElement),
);
byId("log-clear", HTMLButtonElement).addEventListener("click", () => log.clear());

startFigures();
const connection = startConnectionPanel(log);
const channels = startChannels((channel) => {
  byId("subscribe-channel", HTMLInputElement).value = channel;
  byId("publish-channel", HTMLInputElement).value = channel;
  void actions.subscribe(channel);
});
const actions = startActions(connection, channels, log);
