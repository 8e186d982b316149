import { useConnection, useSwitchyard } from "@switchyard/react";
import { ConnectionBadge } from "@switchyard/react/components";
import { type LiveRule, useLiveInvalidation } from "@switchyard/react/query";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { toast } from "sonner";
import type { Api, User } from "./api.js";
import { EquipmentPanel } from "./equipment.js";
import { KEYS } from "./keys.js";
import { SamplesPanel } from "./samples.js";
import { SessionsPanel } from "./sessions.js";

/**
 * What each event makes stale. The entity channels reach every signed-in user; sample notices
 * come on the user's own channel, so only the recipient (and the sender, for a status change)
 * refetches. After a reconnect past a channel's history, every key it covers is refetched.
 */
export function bookingRules(userId: string): LiveRule[] {
  return [
    { channel: "equipment", invalidate: [KEYS.equipment] },
    { channel: "sessions", invalidate: [KEYS.sessions] },
    {
      channel: `$user:${userId}`,
      events: ["sample_received", "sample_updated"],
      invalidate: [KEYS.inbox, KEYS.unread, KEYS.sent],
    },
  ];
}

/** A toast for each sample addressed to this user, as it arrives. */
function useSampleToasts(): void {
  const client = useSwitchyard();
  useEffect(() => {
    if (!client) return;
    return client.personal.on("event", (event) => {
      if (event.event !== "sample_received") return;
      const notice = event.data as { title: string; fromName: string };
      toast.info(`New sample from ${notice.fromName}`, { description: notice.title });
    });
  }, [client]);
}

/**
 * The seed's reconnection notices: a toast when the link drops, replaced by another when it is
 * back (what was missed meanwhile is recovered, or refetched after a reset).
 */
function useConnectionToasts(): void {
  const { status } = useConnection();
  const previous = useRef(status);
  useEffect(() => {
    const before = previous.current;
    previous.current = status;
    if (status === "reconnecting" && before === "connected") {
      toast.warning("Connection lost: reconnecting…", { id: "link", duration: Infinity });
    } else if (status === "connected" && before === "reconnecting") {
      toast.success("Back online", { id: "link", duration: 3000 });
    }
  }, [status]);
}

export function BookingApp({
  user,
  api,
  onLogout,
}: {
  user: User;
  api: Api;
  onLogout: () => void;
}) {
  const rules = useMemo(() => bookingRules(user.id), [user.id]);
  useLiveInvalidation(rules);
  useSampleToasts();
  useConnectionToasts();
  const unread = useQuery({
    queryKey: KEYS.unread,
    queryFn: () => api.get<{ count: number }>("samples/unread-count"),
  });
  const count = unread.data?.count ?? 0;

  return (
    <div className="page booking">
      <header className="app-header">
        <h1>Lab equipment booking</h1>
        <ConnectionBadge />
        <a
          className="inbox-link"
          href="#samples"
          aria-label={`${count} unread ${count === 1 ? "sample" : "samples"}`}
        >
          Inbox
          <span className={count > 0 ? "unread-badge unread-badge--on" : "unread-badge"}>
            {count}
          </span>
        </a>
        <span className="who">
          <strong>{user.name}</strong>
          <span className={`role role--${user.role}`}>{user.role}</span>
        </span>
        <button type="button" onClick={onLogout}>
          Log out
        </button>
      </header>
      <div className="booking-grid">
        <EquipmentPanel user={user} api={api} />
        <div className="side">
          <SessionsPanel user={user} api={api} />
          <SamplesPanel user={user} api={api} />
        </div>
      </div>
    </div>
  );
}
