/**
 * The hub factory of every app in the catalog, by name (Node only: it imports the examples'
 * servers).
 */
import { acousticApp } from "../acoustic-map/server.js";
import { riskApp } from "../risk-simulator/server.js";
import { settingsApp } from "../settings-sync/server.js";
import { zstackApp } from "../zstack-analysis/server.js";
import type { AppHubFactory } from "./app-hub.js";
import type { APPS } from "./catalog.js";

export const APP_HUBS: Record<(typeof APPS)[number]["name"], AppHubFactory> = {
  "acoustic-map": acousticApp,
  "zstack-analysis": zstackApp,
  "risk-simulator": riskApp,
  "settings-sync": settingsApp,
};
