import type { ReceivedEvent } from "@switchyard/client";
import { useConnection, usePresence, useRpc } from "@switchyard/react";
import { ConnectionBadge } from "@switchyard/react/components";
import { interpolateRdYlGn } from "d3-scale-chromatic";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { Toaster, toast } from "sonner";
import type {
  CatchUp,
  EntityDefault,
  EntityState,
  FeedItem,
  PendingDecision,
} from "../../risk-simulator/run.js";
import { feedKey } from "../../risk-simulator/run.js";
import { HealthChart } from "./health-chart.js";
import { useRun } from "./use-run.js";

const SCENARIOS: Record<string, string> = {
  real_estate_crash: "Real-estate crash",
  liquidity_freeze: "Liquidity freeze",
  baseline: "Baseline (random shocks only)",
};

interface Location {
  sim: string | null;
  view: "all" | "defaults";
}

function readLocation(): Location {
  const params = new URLSearchParams(window.location.search);
  return { sim: params.get("sim"), view: params.get("view") === "defaults" ? "defaults" : "all" };
}

function hrefOf(location: Location): string {
  const params = new URLSearchParams();
  if (location.sim) params.set("sim", location.sim);
  if (location.view === "defaults") params.set("view", "defaults");
  const query = params.toString();
  return query ? `?${query}` : "./";
}

/** The page: the start form, or a simulation by its link (`?sim=<id>[&view=defaults]`). */
export function App() {
  const [location, setLocation] = useState(readLocation);
  useEffect(() => {
    const back = () => setLocation(readLocation());
    window.addEventListener("popstate", back);
    return () => window.removeEventListener("popstate", back);
  }, []);
  const go = useCallback((next: Location) => {
    window.history.pushState(null, "", hrefOf(next));
    setLocation(next);
  }, []);

  return (
    <div className="page">
      <header className="app-header">
        <h1>
          Financial risk simulator
          {location.sim && <span className="sim-id"> · simulation {location.sim}</span>}
        </h1>
        {location.sim && (
          <nav className="views" aria-label="Views">
            <ViewLink location={location} go={go} view="all" label="Everything" />
            <ViewLink location={location} go={go} view="defaults" label="Defaults only" />
            <ShareButton />
            <button type="button" onClick={() => go({ sim: null, view: "all" })}>
              New simulation
            </button>
          </nav>
        )}
        <ConnectionBadge />
      </header>
      {location.sim === null ? (
        <>
          <StartPanel onStarted={(sim) => go({ sim, view: "all" })} />
          <RecentSimulations onOpen={(sim) => go({ sim, view: "all" })} />
        </>
      ) : location.view === "defaults" ? (
        <DefaultsView key={location.sim} sim={location.sim} />
      ) : (
        <SimulationView key={location.sim} sim={location.sim} />
      )}
      <Toaster position="bottom-right" richColors closeButton visibleToasts={4} />
    </div>
  );
}

function ViewLink(props: {
  location: Location;
  go: (location: Location) => void;
  view: Location["view"];
  label: string;
}) {
  const target = { ...props.location, view: props.view };
  const current = props.location.view === props.view;
  return (
    <a
      className={current ? "view-link view-link--current" : "view-link"}
      href={hrefOf(target)}
      aria-current={current ? "page" : undefined}
      onClick={(event) => {
        event.preventDefault();
        props.go(target);
      }}
    >
      {props.label}
    </a>
  );
}

function ShareButton() {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      onClick={() => {
        const url = window.location.href;
        void navigator.clipboard?.writeText(url).then(
          () => setCopied(true),
          () => toast.info(url),
        );
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? "Link copied" : "Copy link"}
    </button>
  );
}

function StartPanel({ onStarted }: { onStarted: (sim: string) => void }) {
  const start = useRpc("risk.start");
  const [scenario, setScenario] = useState("real_estate_crash");
  const [seed, setSeed] = useState("");
  const [steps, setSteps] = useState("200");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const data: Record<string, unknown> = { scenario, steps: Number(steps) };
    if (seed.trim() !== "") data.seed = Number(seed);
    start.call(data).then(
      (reply) => onStarted((reply as { simulationId: string }).simulationId),
      () => {}, // shown from start.error
    );
  };
  return (
    <section className="card start">
      <h2>Start a simulation</h2>
      <p className="muted">
        Thirty banks, funds and firms lend to each other and hold property, shares and corporate
        credit. Shocks and losses push some of them into default, and their creditors with them. You
        run <strong>BANK_001</strong>, a mortgage lender: when it gets into trouble, or the whole
        system does, the run stops for your decision. Share the link: everyone who opens it watches
        the same run and sees the decision taken.
      </p>
      <form onSubmit={submit} className="start-form">
        <label>
          Scenario
          <select value={scenario} onChange={(event) => setScenario(event.target.value)}>
            {Object.entries(SCENARIOS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seed
          <input
            inputMode="numeric"
            placeholder="random"
            value={seed}
            onChange={(event) => setSeed(event.target.value)}
          />
        </label>
        <label>
          Timesteps
          <input
            type="number"
            min={10}
            max={500}
            value={steps}
            onChange={(event) => setSteps(event.target.value)}
          />
        </label>
        <button className="primary" type="submit" disabled={start.pending}>
          Start simulation
        </button>
      </form>
      {start.error && <p role="alert">{start.error.message}</p>}
    </section>
  );
}

interface SimulationSummary {
  simulation_id: string;
  scenario: string;
  seed: number;
  steps: number;
  timestep: number;
  status: "running" | "awaiting_decision" | "completed";
}

const STATUS_TEXT: Record<SimulationSummary["status"], string> = {
  running: "running",
  awaiting_decision: "awaiting a decision",
  completed: "completed",
};

/** The latest simulations on this server, to join one without its link. */
function RecentSimulations({ onOpen }: { onOpen: (sim: string) => void }) {
  const list = useRpc("risk.list");
  const connected = useConnection().status === "connected";
  const { run } = list;
  useEffect(() => {
    if (connected) run({});
  }, [connected, run]);
  const simulations = (list.data as { simulations: SimulationSummary[] } | undefined)?.simulations;
  if (!simulations || simulations.length === 0) return null;
  return (
    <section className="card recent">
      <h2>Recent simulations</h2>
      <ul>
        {simulations.map((sim) => (
          <li key={sim.simulation_id}>
            <a
              href={hrefOf({ sim: sim.simulation_id, view: "all" })}
              onClick={(event) => {
                event.preventDefault();
                onOpen(sim.simulation_id);
              }}
            >
              {sim.simulation_id}
            </a>{" "}
            <span className="muted">
              {SCENARIOS[sim.scenario] ?? sim.scenario} · seed {sim.seed} · timestep {sim.timestep}{" "}
              / {sim.steps} · {STATUS_TEXT[sim.status]}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function useDefaultToasts() {
  return useCallback((event: ReceivedEvent) => {
    if (event.event !== "entity_default") return;
    const data = event.data as EntityDefault;
    toast.error(`${data.entity_id} defaulted`, {
      description: `Timestep ${data.timestep} · ${data.entity_type} · ${
        data.cause === "contagion" ? "contagion" : "losses"
      }`,
    });
  }, []);
}

function SimulationView({ sim }: { sim: string }) {
  const onLiveEvent = useDefaultToasts();
  const { run, caughtUp, live } = useRun(`sim:${sim}`, { onLiveEvent });
  const watching = usePresence(`sim:${sim}`).count.connections;
  if (!caughtUp) return <p className="muted">Loading simulation {sim}…</p>;
  if (!run.simulation) return <NoSimulation sim={sim} />;
  const info = run.simulation;
  const latest = run.latest;
  const status = runStatus(run);
  return (
    <main className="run">
      <section className="stats" aria-label="Run">
        <Stat label="Timestep" value={`${latest?.timestep ?? 0} / ${info.steps}`} />
        <Stat
          label="System health"
          value={latest ? `${(latest.system_health * 100).toFixed(1)}%` : "–"}
        />
        <Stat
          label="Alive agents"
          value={`${latest?.alive_agents ?? info.agents} / ${info.agents}`}
        />
        <Stat
          label="Your bank"
          value={
            latest
              ? latest.snapshot.your_bank.alive
                ? `NPA ${(latest.snapshot.your_bank.npa_ratio * 100).toFixed(1)}%`
                : "Defaulted"
              : "–"
          }
        />
        <div className={`stat status status--${status.kind}`}>
          <span className="stat-label">Status</span>
          <span className="stat-value" data-testid="run-status">
            {status.text}
          </span>
        </div>
      </section>
      <div className="run-grid">
        <section className="card chart-card">
          <h2>
            System health and alive agents
            <span className="muted scenario">
              {SCENARIOS[info.scenario] ?? info.scenario} · seed {info.seed} ·{" "}
              <span data-testid="watching">
                {watching} {watching === 1 ? "viewer" : "viewers"}
              </span>
            </span>
          </h2>
          <HealthChart steps={run.steps} agents={info.agents} total={info.steps} />
          <EntityGrid entities={latest?.snapshot.entities ?? []} />
        </section>
        <section className="card feed-card">
          <h2>
            Defaults and shocks
            <span className="muted count">
              {run.feed.filter((item) => item.event === "entity_default").length} defaults ·{" "}
              {run.feed.filter((item) => item.event === "shock_applied").length} shocks
            </span>
          </h2>
          <Feed items={run.feed} live={live} />
        </section>
      </div>
      {run.pending && <DecisionDialog sim={sim} decision={run.pending} />}
    </main>
  );
}

function runStatus(run: CatchUp): { kind: string; text: string } {
  if (run.completed) {
    return run.completed.reason === "collapse"
      ? { kind: "collapse", text: "System collapsed" }
      : { kind: "done", text: "Completed" };
  }
  if (run.pending) return { kind: "waiting", text: "Awaiting decision" };
  return { kind: "running", text: "Running" };
}

function NoSimulation({ sim }: { sim: string }) {
  return (
    <section className="card">
      <h2>No simulation {sim}</h2>
      <p className="muted">
        The link may be mistyped, or the simulation is from another server.{" "}
        <a href="./">Start a new one</a>.
      </p>
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-stat={label}>
        {value}
      </span>
    </div>
  );
}

function EntityGrid({ entities }: { entities: EntityState[] }) {
  return (
    <div className="entities">
      <h3>Entities</h3>
      <ul className="entity-grid" aria-label="Entities">
        {entities.map((entity) => (
          <li
            key={entity.id}
            className={`entity${entity.alive ? "" : " entity--default"}${
              entity.id === "BANK_001" ? " entity--yours" : ""
            }`}
            style={entity.alive ? { background: interpolateRdYlGn(entity.health) } : undefined}
            title={`${entity.id} (${entity.type}): ${
              entity.alive ? `health ${Math.round(entity.health * 100)}%` : "defaulted"
            }`}
          >
            <span>{entity.id.replace(/_0*/, " ")}</span>
          </li>
        ))}
      </ul>
      <p className="legend muted">
        <span className="swatch" style={{ background: interpolateRdYlGn(1) }} /> healthy
        <span className="swatch" style={{ background: interpolateRdYlGn(0.5) }} /> stressed
        <span className="swatch" style={{ background: interpolateRdYlGn(0.05) }} /> near default
        <span className="swatch swatch--default" /> defaulted
        <span className="swatch swatch--yours" /> your bank
      </p>
    </div>
  );
}

function Feed({ items, live }: { items: FeedItem[]; live: ReadonlySet<string> }) {
  if (items.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="feed" aria-label="Defaults and shocks">
      {[...items].reverse().map((item) => {
        const key = feedKey(item);
        return (
          <li
            key={key}
            className={`feed-item feed-item--${item.event}${live.has(key) ? " feed-item--live" : ""}`}
          >
            <span className="feed-time">t={item.data.timestep}</span>
            <FeedText item={item} />
          </li>
        );
      })}
    </ol>
  );
}

function FeedText({ item }: { item: FeedItem }) {
  switch (item.event) {
    case "entity_default":
      return (
        <span>
          <strong>{item.data.entity_id}</strong> ({item.data.entity_type}) defaulted
          {item.data.cause === "contagion" ? " in the contagion" : ""}
          {item.data.creditors_hit.length > 0 && (
            <span className="muted"> · creditors hit: {item.data.creditors_hit.join(", ")}</span>
          )}
        </span>
      );
    case "shock_applied":
      return (
        <span>
          <strong>{item.data.shock_type.replaceAll("_", " ")}</strong> on{" "}
          {item.data.target.replaceAll("_", " ")}{" "}
          <span className="magnitude">{(item.data.magnitude * 100).toFixed(0)}%</span>
        </span>
      );
    case "pending_decision":
      return (
        <span>
          <strong>Decision asked:</strong> {item.data.title}
        </span>
      );
    case "decision_resolved":
      return (
        <span>
          <strong>Decided:</strong> {item.data.action.label}{" "}
          <span className="muted">({item.data.choice})</span>
          {item.data.kind === "npa" ? (
            <span className="effect">
              {" "}
              · NPA {percent(item.data.effect.npa_before)} → {percent(item.data.effect.npa_after)}
            </span>
          ) : (
            <span className="effect">
              {" "}
              · health {percent(item.data.effect.health_before)} →{" "}
              {percent(item.data.effect.health_after)}
            </span>
          )}
        </span>
      );
  }
}

function DecisionDialog({ sim, decision }: { sim: string; decision: PendingDecision }) {
  const decide = useRpc("risk.decide");
  const answer = (choice: "recommended" | "alternative") =>
    decide.run({ simulationId: sim, decisionId: decision.decision_id, choice });
  return (
    <div className="backdrop">
      <section
        className="card decision"
        role="dialog"
        aria-modal="true"
        aria-labelledby="decision-title"
        aria-describedby="decision-text"
      >
        <p className="decision-kicker">Decision needed · timestep {decision.timestep}</p>
        <h2 id="decision-title">{decision.title}</h2>
        <p id="decision-text">{decision.description}</p>
        <div className="actions">
          <article className="action action--recommended">
            <span className="action-tag">Recommended</span>
            <h3>{decision.recommended_action.label}</h3>
            <p>{decision.recommended_action.description}</p>
            <button
              type="button"
              className="primary"
              disabled={decide.pending}
              onClick={() => answer("recommended")}
            >
              Apply recommended
            </button>
          </article>
          <article className="action">
            <span className="action-tag">Alternative</span>
            <h3>{decision.alternative_action.label}</h3>
            <p>{decision.alternative_action.description}</p>
            <button type="button" disabled={decide.pending} onClick={() => answer("alternative")}>
              Choose alternative
            </button>
          </article>
        </div>
        {decide.error && <p role="alert">{decide.error.message}</p>}
        <p className="muted small">The run waits for an answer; every viewer sees this question.</p>
      </section>
    </div>
  );
}

/** The "defaults only" view: its subscription asks the hub for `entity_default` alone. */
function DefaultsView({ sim }: { sim: string }) {
  const onLiveEvent = useDefaultToasts();
  const { run, caughtUp, live, received } = useRun(`sim:${sim}`, {
    events: ["entity_default"],
    onLiveEvent,
  });
  if (!caughtUp) return <p className="muted">Loading simulation {sim}…</p>;
  if (!run.simulation) return <NoSimulation sim={sim} />;
  const defaults = run.feed.filter(
    (item): item is Extract<FeedItem, { event: "entity_default" }> =>
      item.event === "entity_default",
  );
  return (
    <main className="card defaults">
      <h2>
        Defaults <span className="muted count">{defaults.length} so far</span>
      </h2>
      <p className="muted">
        This view subscribes to <code>entity_default</code> only: the hub sends it nothing else
        (events received live: <span data-testid="received">{received}</span>).
      </p>
      {defaults.length === 0 ? (
        <p className="muted">No entity has defaulted yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Timestep</th>
              <th>Entity</th>
              <th>Type</th>
              <th>Cause</th>
              <th>Creditors hit</th>
            </tr>
          </thead>
          <tbody>
            {[...defaults].reverse().map((item) => (
              <tr
                key={item.data.entity_id}
                className={live.has(feedKey(item)) ? "feed-item--live" : undefined}
              >
                <td>{item.data.timestep}</td>
                <td>
                  <strong>{item.data.entity_id}</strong>
                </td>
                <td>{item.data.entity_type}</td>
                <td>{item.data.cause}</td>
                <td className="muted">{item.data.creditors_hit.join(", ") || "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
