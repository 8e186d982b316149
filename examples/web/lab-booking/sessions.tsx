import { useQuery } from "@tanstack/react-query";
import type { Api, BookingSession, User } from "./api.js";
import { KEYS } from "./keys.js";
import { useChange } from "./mutation.js";

const time = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

function duration(from: number, to: number): string {
  const minutes = Math.max(0, Math.round((to - from) / 60));
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function SessionRow({ session, user, api }: { session: BookingSession; user: User; api: Api }) {
  const end = useChange(
    () => api.send("POST", `sessions/${session.id}/end`),
    [KEYS.sessions, KEYS.equipment],
  );
  const mine = session.userId === user.id;
  const running = session.endedAt === null;
  return (
    <li className={running ? "session session--running" : "session"}>
      <div>
        <div className="session-title">{session.equipmentName}</div>
        <div className="muted small">
          {mine ? "You" : session.userName} · {time.format(session.startedAt * 1000)}
          {running
            ? " · running"
            : ` – ${time.format((session.endedAt as number) * 1000)} (${duration(session.startedAt, session.endedAt as number)})`}
        </div>
      </div>
      {running && (mine || user.role === "admin") && (
        <button
          type="button"
          disabled={end.isPending}
          onClick={() => end.mutate(undefined)}
          aria-label={`End session on ${session.equipmentName}`}
        >
          End
        </button>
      )}
    </li>
  );
}

export function SessionsPanel({ user, api }: { user: User; api: Api }) {
  const sessions = useQuery({
    queryKey: KEYS.sessions,
    queryFn: () => api.get<BookingSession[]>("sessions"),
  });
  const list = sessions.data ?? [];
  const running = list.filter((session) => session.endedAt === null);
  const ended = list.filter((session) => session.endedAt !== null).slice(0, 5);
  return (
    <section className="card" aria-labelledby="sessions-title">
      <div className="card-head">
        <h2 id="sessions-title">Sessions</h2>
        <span className="muted small">{running.length} running</span>
      </div>
      {sessions.isPending ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <ul className="session-list" aria-label="Running sessions">
            {running.map((session) => (
              <SessionRow key={session.id} session={session} user={user} api={api} />
            ))}
            {running.length === 0 && <li className="muted empty">No session running.</li>}
          </ul>
          {ended.length > 0 && (
            <>
              <h3>Recently ended</h3>
              <ul className="session-list" aria-label="Ended sessions">
                {ended.map((session) => (
                  <SessionRow key={session.id} session={session} user={user} api={api} />
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
