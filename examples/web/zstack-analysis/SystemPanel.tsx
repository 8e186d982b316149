/**
 * The hub's machine every 5 s (the seed's `system_status`): CPU used by the hub, the load,
 * memory, analyses waiting and running. The latest `status` event wins; before the first one
 * the channel's snapshot (the hub's last status) shows, so the panel is never empty.
 */
import { registryOf, useLatestEvent, useSwitchyard } from "@switchyard/react";
import { useEffect, useState } from "react";
import { STATUS_CHANNEL, STATUS_EVENT, type SystemStatus } from "./model.js";

/** The channel's snapshot from its subscribe reply (the hub's latest status). */
function useChannelSnapshot(channel: string): unknown {
  const client = useSwitchyard();
  const [snapshot, setSnapshot] = useState<unknown>(undefined);
  useEffect(() => {
    if (!client) return;
    const lease = registryOf(client).retainChannel(channel);
    const read = () => setSnapshot(lease.value.state.getSnapshot().snapshot);
    read();
    const stop = lease.value.state.subscribe(read);
    return () => {
      stop();
      lease.release();
    };
  }, [client, channel]);
  return snapshot;
}

const time = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

function Meter({ label, value, text }: { label: string; value: number; text: string }) {
  const clamped = Math.max(0, Math.min(100, value));
  const level = clamped >= 85 ? "high" : clamped >= 60 ? "mid" : "low";
  return (
    <div className="zs-meter">
      <div className="zs-meter__head">
        <span>{label}</span>
        <span className="zs-meter__value">{text}</span>
      </div>
      <div className={`zs-meter__track zs-meter--${level}`} aria-hidden="true">
        <div className="zs-meter__fill" style={{ width: `${clamped}%` }} />
      </div>
    </div>
  );
}

export function SystemPanel() {
  const latest = useLatestEvent(STATUS_CHANNEL, STATUS_EVENT) as SystemStatus | undefined;
  const snapshot = useChannelSnapshot(STATUS_CHANNEL) as SystemStatus | undefined;
  const status =
    latest && (!snapshot || latest.timestamp >= snapshot.timestamp) ? latest : snapshot;

  return (
    <section className="card zs-system" aria-label="System status">
      <h2>
        System status
        {status ? (
          <time className="zs-updated" dateTime={new Date(status.timestamp).toISOString()}>
            updated {time.format(status.timestamp)}
          </time>
        ) : null}
      </h2>
      {status ? (
        <div className="zs-system__grid">
          <Meter
            label="CPU (hub process)"
            value={status.cpu.process}
            text={`${status.cpu.process.toFixed(0)} %`}
          />
          <Meter
            label="Load, 1 min"
            value={(status.cpu.load1 / status.cpu.cores) * 100}
            text={`${status.cpu.load1.toFixed(2)} / ${status.cpu.cores} cores`}
          />
          <Meter
            label="Memory"
            value={status.memory.systemUsed}
            text={`${status.memory.systemUsed.toFixed(0)} % · hub ${status.memory.rssMiB.toFixed(0)} MiB`}
          />
          <dl className="zs-counts">
            <div>
              <dt>Queue</dt>
              <dd>{status.queueLength}</dd>
            </div>
            <div>
              <dt>Active</dt>
              <dd>{status.activeJobs}</dd>
            </div>
          </dl>
        </div>
      ) : (
        <p className="muted">Waiting for the hub's first status…</p>
      )}
    </section>
  );
}
