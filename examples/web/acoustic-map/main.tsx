/**
 * The acoustic SPL simulator: a shared project (`?project=<id>`, default `demo`) on the page's
 * own hub, with the MessagePack codec (the map's rows are float32 binary).
 */
import { msgpackCodec } from "@switchyard/client/msgpack";
import { SwitchyardProvider } from "@switchyard/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Toaster } from "sonner";
import { createAppClient } from "../shared/connect.js";
import { App } from "./app.js";
import "@switchyard/react/styles.css";
import "../shared/app.css";
import "./acoustic.css";

const client = createAppClient({ codec: msgpackCodec });
const project = new URLSearchParams(window.location.search).get("project") || "demo";

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <SwitchyardProvider client={client}>
      <App project={project} />
      <Toaster position="bottom-right" richColors closeButton />
    </SwitchyardProvider>
  </StrictMode>,
);
