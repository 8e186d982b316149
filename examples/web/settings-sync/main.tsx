/**
 * The settings sync page: the graph visualiser's settings, shared live by every tab and browser
 * through the hub's synced state document `settings` (the seed's settings WebSocket).
 */
import { SwitchyardProvider } from "@switchyard/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Toaster } from "sonner";
import { createAppClient } from "../shared/connect.js";
import { App } from "./app.js";
import "@switchyard/react/styles.css";
import "../shared/app.css";
import "./settings-sync.css";

const client = createAppClient();

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <SwitchyardProvider client={client}>
      <App />
      <Toaster position="bottom-right" richColors closeButton />
    </SwitchyardProvider>
  </StrictMode>,
);
