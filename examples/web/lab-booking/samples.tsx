import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Api, Sample, SampleStatus, User } from "./api.js";
import { KEYS } from "./keys.js";
import { useChange } from "./mutation.js";

const STATUSES: SampleStatus[] = ["submitted", "received", "analysing", "done"];
const SAMPLE_KEYS = [KEYS.inbox, KEYS.unread, KEYS.sent];

function InboxItem({ sample, api }: { sample: Sample; api: Api }) {
  const read = useChange(() => api.send("POST", `samples/${sample.id}/read`), SAMPLE_KEYS);
  const status = useChange(
    (next: SampleStatus) => api.send("PATCH", `samples/${sample.id}`, { status: next }),
    SAMPLE_KEYS,
  );
  return (
    <li className={sample.read ? "sample" : "sample sample--unread"} aria-label={sample.title}>
      <div className="sample-main">
        <div className="sample-title">
          {!sample.read && <span className="dot" title="Unread" />}
          {sample.title}
        </div>
        <div className="muted small">
          from {sample.senderName}
          {sample.notes ? ` · ${sample.notes}` : ""}
        </div>
      </div>
      <select
        aria-label={`Status of ${sample.title}`}
        value={sample.status}
        onChange={(event) => status.mutate(event.target.value as SampleStatus)}
      >
        {STATUSES.map((value) => (
          <option key={value} value={value}>
            {value}
          </option>
        ))}
      </select>
      {!sample.read && (
        <button type="button" onClick={() => read.mutate(undefined)}>
          Mark read
        </button>
      )}
    </li>
  );
}

function SendSample({ user, api }: { user: User; api: Api }) {
  const users = useQuery({ queryKey: KEYS.users, queryFn: () => api.get<User[]>("users") });
  const others = (users.data ?? []).filter((other) => other.id !== user.id);
  const [recipientId, setRecipient] = useState("");
  const [title, setTitle] = useState("");
  const [notes, setNotes] = useState("");
  const submit = useChange(
    () => api.send("POST", "samples", { recipientId: recipientId || others[0]?.id, title, notes }),
    [KEYS.sent],
    () => {
      setTitle("");
      setNotes("");
    },
  );
  return (
    <form
      className="send-sample"
      aria-label="Send a sample"
      onSubmit={(event) => {
        event.preventDefault();
        submit.mutate(undefined);
      }}
    >
      <label>
        To
        <select
          name="recipient"
          value={recipientId || others[0]?.id || ""}
          onChange={(event) => setRecipient(event.target.value)}
        >
          {others.map((other) => (
            <option key={other.id} value={other.id}>
              {other.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Sample
        <input
          name="title"
          value={title}
          placeholder="e.g. HeLa lysate, plate 3"
          onChange={(event) => setTitle(event.target.value)}
          required
        />
      </label>
      <label>
        Notes
        <input name="notes" value={notes} onChange={(event) => setNotes(event.target.value)} />
      </label>
      <button className="primary" type="submit" disabled={submit.isPending || others.length === 0}>
        Send
      </button>
    </form>
  );
}

export function SamplesPanel({ user, api }: { user: User; api: Api }) {
  const inbox = useQuery({
    queryKey: KEYS.inbox,
    queryFn: () => api.get<Sample[]>("samples/inbox"),
  });
  const sent = useQuery({ queryKey: KEYS.sent, queryFn: () => api.get<Sample[]>("samples/sent") });
  return (
    <section className="card" id="samples" aria-labelledby="samples-title">
      <div className="card-head">
        <h2 id="samples-title">Samples</h2>
      </div>
      <SendSample user={user} api={api} />
      <h3>Inbox</h3>
      <ul className="sample-list" aria-label="Inbox">
        {(inbox.data ?? []).map((sample) => (
          <InboxItem key={sample.id} sample={sample} api={api} />
        ))}
        {inbox.data?.length === 0 && <li className="muted empty">Nothing addressed to you.</li>}
      </ul>
      {(sent.data?.length ?? 0) > 0 && (
        <>
          <h3>Sent</h3>
          <ul className="sample-list" aria-label="Sent samples">
            {(sent.data ?? []).slice(0, 5).map((sample) => (
              <li key={sample.id} className="sample">
                <div className="sample-main">
                  <div className="sample-title">{sample.title}</div>
                  <div className="muted small">to {sample.recipientName}</div>
                </div>
                <span className={`pill pill--sample-${sample.status}`}>{sample.status}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
