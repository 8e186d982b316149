/**
 * The page of the Chromium test, as the equipment booking app of seed 003 would write it: a
 * list and a detail query over the app's HTTP API, kept fresh by one rule ("equipment
 * changed" invalidates the list and the item), and buttons that change equipment through the
 * API (whose handler publishes the event).
 */
import { createClient } from "@switchyard/client";
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { createRoot } from "react-dom/client";
import { SwitchyardProvider } from "../../../src/index.js";
import { type LiveRule, useLiveInvalidation } from "../../../src/query/index.js";

/** One piece of equipment as the API serves it. */
interface Equipment {
  readonly id: number;
  readonly name: string;
  readonly status: string;
}

const params = new URLSearchParams(location.search);
/** Which screen this is: sent with every request, so the server counts each screen's fetches. */
const who = params.get("who") ?? "anonymous";

const RULES: readonly LiveRule[] = [
  {
    channel: "equipment",
    events: ["equipment_changed"],
    invalidate: (event) => [["equipment"], ["equipment", (event.data as { id: number }).id]],
    covers: [["equipment"]],
  },
];

async function get<T>(path: string): Promise<T> {
  const response = await fetch(`${path}?who=${who}`);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

function EquipmentList() {
  const { data } = useQuery({
    queryKey: ["equipment"],
    queryFn: () => get<Equipment[]>("/api/equipment"),
  });
  if (!data) return <p>Loading equipment…</p>;
  return (
    <ul aria-label="equipment">
      {data.map((item) => (
        <li key={item.id}>{`${item.name}: ${item.status}`}</li>
      ))}
    </ul>
  );
}

function EquipmentDetail({ id }: { id: number }) {
  const { data } = useQuery({
    queryKey: ["equipment", id],
    queryFn: () => get<Equipment>(`/api/equipment/${id}`),
  });
  return <p>{data ? `Detail ${data.name} is ${data.status}` : "…"}</p>;
}

function Actions() {
  const post = (path: string) => fetch(`${path}?who=${who}`, { method: "POST" });
  return (
    <div>
      <button type="button" onClick={() => post("/api/equipment/1/book")}>
        Book the microscope
      </button>
      <button type="button" onClick={() => post("/api/equipment/burst")}>
        Change everything 1,000 times
      </button>
    </div>
  );
}

function App() {
  useLiveInvalidation(RULES);
  return (
    <main>
      <h1>{`Equipment (${who})`}</h1>
      <EquipmentList />
      <EquipmentDetail id={1} />
      <Actions />
    </main>
  );
}

const client = createClient({ url: params.get("hub") ?? "" });
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <SwitchyardProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </SwitchyardProvider>,
  );
}
