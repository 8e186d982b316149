/**
 * The Switchyard inspector, served by `switchyard serve` at `/`: a hub's live figures
 * (`/stats`), its channels (`/api/channels`, with the API key), a synced-state document and a
 * channel's members (with the API key), and a console built on the
 * client SDK — the same bundle the hub serves at `/sdk/switchyard-client.js` — to connect,
 * subscribe, publish, call RPCs and watch events arrive. The hub shown is the one the console
 * connects to: the one that served the page until the console connects to another. The
 * header also links to the applications beside the hub that served the page (`--link`).
 */
import { startActions } from "./actions.js";
import { showAppLinks } from "./app-links.js";
import { startChannels } from "./channels.js";
import { startConnectionPanel } from "./connection-panel.js";
import { byId } from "./dom.js";
import { EventLog } from "./event-log.js";
import { startFigures } from "./figures.js";
import { createHubTarget } from "./hub-target.js";
import { startMembersPanel } from "./members-panel.js";
import { startStatePanel } from "./state-panel.js";

const log = new EventLog(
  byId("log", HTMLOListElement),
  byId("log-scroller", HTMLElement),
  byId("log-count", HTMLElement),
);
byId("log-clear", HTMLButtonElement).addEventListener("click", () => log.clear());

const hub = createHubTarget();
const channels = startChannels(hub, (channel) => {
  if (channel.startsWith("state:")) state.open(channel);
  else if (!channel.startsWith("$")) members.open(channel);
  byId("subscribe-channel", HTMLInputElement).value = channel;
  byId("publish-channel", HTMLInputElement).value = channel;
  void actions.subscribe(channel);
});
const state = startStatePanel(hub, channels.apiKey);
const members = startMembersPanel(hub, channels.apiKey);
startFigures(hub, channels.apiKey);
const connection = startConnectionPanel(log, hub);
const actions = startActions(hub, connection, channels, log);
void showAppLinks(byId("app-links", HTMLElement));
