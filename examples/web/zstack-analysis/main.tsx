/**
 * The z-stack analyser in a browser: one client of the page's own hub (MessagePack, so the
 * slices of a segmentation arrive as binary), shared by every component through the provider.
 * Who the user is: the browser's anonymous session (see the README's "Web app").
 */
import { msgpackCodec } from "@switchyard/client/msgpack";
import { SwitchyardProvider } from "@switchyard/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@switchyard/react/styles.css";
import "../shared/app.css";
import "./app.css";
import { createAppClient } from "../shared/connect.js";
import { App } from "./App.js";

const client = createAppClient({ codec: msgpackCodec });

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <SwitchyardProvider client={client}>
      <App />
    </SwitchyardProvider>
  </StrictMode>,
);
