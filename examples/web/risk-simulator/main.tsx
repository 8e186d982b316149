/**
 * The financial risk simulator's page: start a simulation run by the Python backend, or open
 * one by its link (`?sim=<id>`), and watch it live with everyone else who has the link.
 */
import { SwitchyardProvider } from "@switchyard/react";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAppClient } from "../shared/connect.js";
import { App } from "./app.js";
import "@switchyard/react/styles.css";
import "uplot/dist/uPlot.min.css";
import "../shared/app.css";
import "./risk.css";

const client = createAppClient();

createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <SwitchyardProvider client={client}>
      <App />
    </SwitchyardProvider>
  </StrictMode>,
);
