import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Api, Equipment, EquipmentStatus, User } from "./api.js";
import { KEYS } from "./keys.js";
import { useChange } from "./mutation.js";

const STATUS_LABEL: Record<EquipmentStatus, string> = {
  available: "Available",
  in_use: "In use",
  maintenance: "Maintenance",
};

export function StatusPill({ status }: { status: EquipmentStatus }) {
  return <span className={`pill pill--${status}`}>{STATUS_LABEL[status]}</span>;
}

interface Draft {
  name: string;
  location: string;
  description: string;
}

const EMPTY: Draft = { name: "", location: "", description: "" };

function EquipmentForm(props: {
  initial: Draft;
  label: string;
  submitLabel: string;
  busy: boolean;
  onSubmit: (draft: Draft) => void;
  onCancel?: () => void;
  children?: React.ReactNode;
}) {
  const [draft, setDraft] = useState(props.initial);
  const field = (name: keyof Draft, label: string, placeholder: string) => (
    <label>
      {label}
      <input
        name={name}
        value={draft[name]}
        placeholder={placeholder}
        onChange={(event) => setDraft({ ...draft, [name]: event.target.value })}
        required={name === "name"}
      />
    </label>
  );
  return (
    <form
      className="equipment-form"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit(draft);
      }}
    >
      {field("name", "Name", "e.g. Plate reader")}
      {field("location", "Location", "Room")}
      {field("description", "Description", "Model, options")}
      {props.children}
      <div className="form-actions">
        <button className="primary" type="submit" disabled={props.busy}>
          {props.submitLabel}
        </button>
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function EquipmentRow({ item, user, api }: { item: Equipment; user: User; api: Api }) {
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<EquipmentStatus>(item.status);
  const admin = user.role === "admin";
  const start = useChange(
    () => api.send("POST", "sessions", { equipmentId: item.id }),
    [KEYS.equipment, KEYS.sessions],
  );
  const save = useChange(
    (draft: Draft) =>
      api.send("PATCH", `equipment/${item.id}`, {
        ...draft,
        ...(item.status === "in_use" || status === item.status ? {} : { status }),
      }),
    [KEYS.equipment],
    () => setEditing(false),
  );
  const remove = useChange(() => api.send("DELETE", `equipment/${item.id}`), [KEYS.equipment]);

  if (editing) {
    return (
      <li className="equipment-item equipment-item--editing">
        <EquipmentForm
          initial={{ name: item.name, location: item.location, description: item.description }}
          label={`Edit ${item.name}`}
          submitLabel="Save"
          busy={save.isPending}
          onSubmit={(draft) => save.mutate(draft)}
          onCancel={() => setEditing(false)}
        >
          <label>
            Status
            <select
              name="status"
              value={item.status === "in_use" ? "in_use" : status}
              disabled={item.status === "in_use"}
              onChange={(event) => setStatus(event.target.value as EquipmentStatus)}
            >
              {item.status === "in_use" && (
                <option value="in_use">In use (end its session first)</option>
              )}
              <option value="available">Available</option>
              <option value="maintenance">Maintenance</option>
            </select>
          </label>
          <div className="form-danger">
            <button
              type="button"
              className="danger"
              disabled={item.status === "in_use" || remove.isPending}
              onClick={() => remove.mutate(undefined)}
            >
              Delete
            </button>
          </div>
        </EquipmentForm>
      </li>
    );
  }
  return (
    <li className="equipment-item" aria-label={item.name} data-status={item.status}>
      <div className="equipment-main">
        <div className="equipment-name">{item.name}</div>
        <div className="muted small">
          {item.location}
          {item.description ? ` · ${item.description}` : ""}
        </div>
      </div>
      <div className="equipment-state">
        <StatusPill status={item.status} />
        {item.status === "in_use" && item.userName && (
          <span className="muted small">{item.userName}</span>
        )}
      </div>
      <div className="equipment-actions">
        {item.status === "available" && (
          <button
            type="button"
            className="primary"
            disabled={start.isPending}
            onClick={() => start.mutate(undefined)}
            aria-label={`Start session on ${item.name}`}
          >
            Start session
          </button>
        )}
        {admin && (
          <button
            type="button"
            onClick={() => {
              setStatus(item.status);
              setEditing(true);
            }}
            aria-label={`Edit ${item.name}`}
          >
            Edit
          </button>
        )}
      </div>
    </li>
  );
}

export function EquipmentPanel({ user, api }: { user: User; api: Api }) {
  const equipment = useQuery({
    queryKey: KEYS.equipment,
    queryFn: () => api.get<Equipment[]>("equipment"),
  });
  const [adding, setAdding] = useState(false);
  const add = useChange(
    (draft: Draft) => api.send("POST", "equipment", draft),
    [KEYS.equipment],
    () => setAdding(false),
  );
  const items = equipment.data ?? [];
  const inUse = items.filter((item) => item.status === "in_use").length;

  return (
    <section className="card" aria-labelledby="equipment-title">
      <div className="card-head">
        <h2 id="equipment-title">Equipment</h2>
        <span className="muted small">
          {items.length} instruments · {inUse} in use
        </span>
        {user.role === "admin" && !adding && (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add equipment
          </button>
        )}
      </div>
      {adding && (
        <EquipmentForm
          initial={EMPTY}
          label="New equipment"
          submitLabel="Add"
          busy={add.isPending}
          onSubmit={(draft) => add.mutate(draft)}
          onCancel={() => setAdding(false)}
        />
      )}
      {equipment.isPending ? (
        <p className="muted">Loading…</p>
      ) : equipment.isError ? (
        <p className="form-error">{equipment.error.message}</p>
      ) : (
        <ul className="equipment-list" aria-label="Equipment list">
          {items.map((item) => (
            <EquipmentRow key={item.id} item={item} user={user} api={api} />
          ))}
        </ul>
      )}
    </section>
  );
}
